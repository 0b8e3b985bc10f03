// Judges a JWKS document as the AI gateway will use it: keys present, RSA and usable for RS256, strong, unique, public only.
// jose is imported where it is used, so loading the check registry (`list`, `explain`) does not load it.
import type { JWK } from 'jose';
import { errorMessage } from '../error-message.js';

/** What is wrong with a key set, by stable id (tests and the explain text refer to these). */
export type KeySetProblemId =
  | 'not-object'
  | 'keys-missing'
  | 'keys-not-array'
  | 'keys-empty'
  | 'key-not-object'
  | 'private-material'
  | 'weak-modulus'
  | 'unimportable'
  | 'not-rsa'
  | 'alg-not-rs256'
  | 'use-not-sig'
  | 'missing-kid'
  | 'duplicate-kid'
  | 'no-rs256-key';

/** One finding. `fail` breaks authentication (or publishes a secret); `warn` is fragile or non-standard. */
export interface KeySetProblem {
  id: KeySetProblemId;
  severity: 'fail' | 'warn';
  message: string;
}

/** The facts about one entry of `keys` (public parameters only). */
export interface KeyReport {
  index: number;
  kid?: string;
  kty?: string;
  alg?: string;
  use?: string;
  /** RSA modulus size in bits. */
  modulusBits?: number;
  /** RFC 7638 SHA-256 thumbprint of the public key (GitLab uses it as the kid). */
  thumbprint?: string;
  /** The key imports as an RS256 verification key of 2048 bits or more. */
  rs256: boolean;
}

/** The verdict on a key set. */
export interface KeySetJudgement {
  status: 'pass' | 'warn' | 'fail';
  /** Entries in `keys` (0 when absent or not an array). */
  keyCount: number;
  kids: string[];
  keys: KeyReport[];
  problems: KeySetProblem[];
  /** The JWK entries usable for RS256, as found (for verifying tokens). */
  usable: JWK[];
}

/** Minimum RSA modulus: what jose and NIST accept for RS256. */
export const MIN_RSA_BITS = 2048;

/** JWK members that only a private (or symmetric) key has: publishing them publishes the signing key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The bit length of a base64url big-endian unsigned integer (an RSA modulus), or undefined when it does not decode. */
export function modulusBits(n: unknown): number | undefined {
  if (typeof n !== 'string' || !/^[A-Za-z0-9_-]+$/.test(n)) return undefined;
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return undefined;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes a key for messages: "key 2 (kid abc)". */
function label(report: KeyReport): string {
  return `key ${report.index}${report.kid ? ` (kid ${report.kid})` : ''}`;
}

/** Judges one entry: its report, its problems, and the JWK when it is usable for RS256. */
async function judgeKey(entry: unknown, index: number): Promise<{ report: KeyReport; jwk?: JWK; problems: KeySetProblem[] }> {
  const report: KeyReport = { index, rs256: false };
  const problems: KeySetProblem[] = [];
  if (!isObject(entry)) {
    problems.push({ id: 'key-not-object', severity: 'warn', message: `key ${index} is not a JSON object; the gateway cannot use it` });
    return { report, problems };
  }
  const jwk = entry as JWK;
  report.kid = str(entry.kid);
  report.kty = str(entry.kty);
  report.alg = str(entry.alg);
  report.use = str(entry.use);
  const name = label(report);

  const secrets = PRIVATE_MEMBERS.filter((m) => m in entry);
  if (secrets.length) {
    problems.push({
      id: 'private-material',
      severity: 'fail',
      message: `${name} publishes private key material (${secrets.join(', ')}): anyone can sign tokens the gateway accepts`,
    });
  }
  if (report.kty !== 'RSA') {
    problems.push({
      id: 'not-rsa',
      severity: 'warn',
      message:
        `${name} has kty ${report.kty ?? '(missing)'}: the gateway's python-jose builds every key of the set as an RSA key for RS256 ` +
        'and errors (HTTP 500) on this one when it comes before the signing key',
    });
    return { report, problems };
  }
  report.modulusBits = modulusBits(entry.n);
  const { calculateJwkThumbprint, importJWK } = await import('jose');
  try {
    report.thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    // A key whose thumbprint cannot be computed also fails to import below; that problem says it.
  }
  if (report.alg !== undefined && report.alg !== 'RS256') {
    problems.push({
      id: 'alg-not-rs256',
      severity: 'warn',
      message: `${name} says alg ${report.alg}: GitLab signs with RS256, and standard verifiers skip this key for RS256 tokens`,
    });
  }
  if (report.use !== undefined && report.use !== 'sig') {
    problems.push({ id: 'use-not-sig', severity: 'warn', message: `${name} says use "${report.use}", not "sig": standard verifiers skip it` });
  }
  if (report.kid === undefined) {
    problems.push({ id: 'missing-kid', severity: 'warn', message: `${name} has no kid: verifiers that pick keys by the token's kid cannot find it` });
  }
  if (report.modulusBits === undefined) {
    // Checked before importing: Node decodes base64url leniently and would import garbage as some key.
    problems.push({ id: 'unimportable', severity: 'warn', message: `${name} has no valid modulus n (base64url): it cannot verify anything` });
    return { report, problems };
  }
  if (report.modulusBits < MIN_RSA_BITS) {
    problems.push({
      id: 'weak-modulus',
      severity: 'fail',
      message: `${name} is a ${report.modulusBits}-bit RSA key; RS256 needs at least ${MIN_RSA_BITS} bits (weak, and rejected by jose)`,
    });
    return { report, problems };
  }
  try {
    // Import the public part only: a published private key is already reported, and must not make the key "usable".
    const { kty, n, e } = entry as { kty: string; n?: string; e?: string };
    await importJWK({ kty, n, e }, 'RS256');
    report.rs256 = true;
    return { report, jwk, problems };
  } catch (err) {
    const why = errorMessage(err);
    problems.push({ id: 'unimportable', severity: 'warn', message: `${name} does not import as an RS256 key: ${why}` });
    return { report, problems };
  }
}

/** Flags kids used by more than one key. Identical material under one kid (GitLab serving one key twice) is harmless; different material is not. */
function duplicateKids(reports: readonly KeyReport[], problems: KeySetProblem[]): void {
  const byKid = new Map<string, KeyReport[]>();
  for (const r of reports) if (r.kid !== undefined) byKid.set(r.kid, [...(byKid.get(r.kid) ?? []), r]);
  for (const [kid, same] of byKid) {
    if (same.length < 2) continue;
    const distinct = new Set(same.map((r) => r.thumbprint ?? `#${r.index}`)).size;
    if (distinct === 1) continue;
    problems.push({
      id: 'duplicate-kid',
      severity: 'warn',
      message: `kid ${kid} names ${same.length} different keys (${same.map((r) => `key ${r.index}`).join(', ')}): verifiers that pick by kid may pick the wrong one`,
    });
  }
}

/** Judges a parsed JWKS document. Never throws. */
export async function judgeKeySet(doc: unknown): Promise<KeySetJudgement> {
  const problems: KeySetProblem[] = [];
  const done = (keys: KeyReport[], usable: JWK[], keyCount: number): KeySetJudgement => {
    const status = problems.some((p) => p.severity === 'fail') ? 'fail' : problems.length ? 'warn' : 'pass';
    const kids = keys.flatMap((k) => (k.kid !== undefined ? [k.kid] : []));
    return { status, keyCount, kids, keys, problems, usable };
  };
  if (!isObject(doc)) {
    problems.push({ id: 'not-object', severity: 'fail', message: 'the JWKS document is not a JSON object' });
    return done([], [], 0);
  }
  if (!('keys' in doc)) {
    problems.push({ id: 'keys-missing', severity: 'fail', message: 'the JWKS document has no "keys" member' });
    return done([], [], 0);
  }
  if (!Array.isArray(doc.keys)) {
    problems.push({ id: 'keys-not-array', severity: 'fail', message: '"keys" is not an array' });
    return done([], [], 0);
  }
  if (doc.keys.length === 0) {
    problems.push({ id: 'keys-empty', severity: 'fail', message: '"keys" is empty: No keys found in JWKS' });
    return done([], [], 0);
  }
  const judged = await Promise.all(doc.keys.map((entry: unknown, i: number) => judgeKey(entry, i)));
  for (const j of judged) problems.push(...j.problems);
  const reports = judged.map((j) => j.report);
  const usable = judged.flatMap((j) => (j.jwk ? [j.jwk] : []));
  duplicateKids(reports, problems);
  if (usable.length === 0) {
    problems.push({ id: 'no-rs256-key', severity: 'fail', message: 'no key in the set is usable to verify RS256 tokens' });
  }
  return done(reports, usable, doc.keys.length);
}
