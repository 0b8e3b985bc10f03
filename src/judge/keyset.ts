// Judges a JWKS document as the AI gateway uses it: keys present, RSA and usable for RS256, strong, unique, public only.
// Synchronous and pure: node:crypto imports the keys, and the RFC 7638 thumbprint is computed here.
import { createHash, createPublicKey } from 'node:crypto';

/**
 * What is wrong with a key set, by stable id (the jwks-valid message table keys on these), each with exactly what its
 * message needs. `key` reads "key 2 (kid abc)".
 */
export type KeySetProblem =
  | { id: 'notObject'; severity: 'fail' }
  | { id: 'keysMissing'; severity: 'fail' }
  | { id: 'keysNotArray'; severity: 'fail' }
  | { id: 'keysEmpty'; severity: 'fail' }
  | { id: 'noRs256Key'; severity: 'fail' }
  | { id: 'keyNotObject'; severity: 'warn'; key: string }
  | { id: 'missingKid'; severity: 'warn'; key: string }
  /** names: the private members present. */
  | { id: 'privateMaterial'; severity: 'fail'; key: string; names: string[] }
  /** bits: the modulus size. */
  | { id: 'weakModulus'; severity: 'fail'; key: string; bits: number }
  /** value: the kty. */
  | { id: 'notRsa'; severity: 'warn'; key: string; value: string }
  /** value: the alg. */
  | { id: 'algNotRs256'; severity: 'warn'; key: string; value: string }
  /** value: the use. */
  | { id: 'useNotSig'; severity: 'warn'; key: string; value: string }
  /** value: why it does not import. */
  | { id: 'unimportable'; severity: 'warn'; key: string; value: string }
  /** value: the kid; names: the keys sharing it. */
  | { id: 'duplicateKid'; severity: 'warn'; value: string; names: string[] };

export type KeySetProblemId = KeySetProblem['id'];

/** The problem of one id (its message's data). */
export type KeySetProblemOf<I extends KeySetProblemId> = Extract<KeySetProblem, { id: I }>;

/** The facts about one entry of `keys` (public parameters only). */
export interface KeyReport {
  index: number;
  kid?: string;
  kty?: string;
  alg?: string;
  use?: string;
  /** RSA modulus size in bits. */
  modulusBits?: number;
  /** RFC 7638 SHA-256 thumbprint of the public key (GitLab's kid). */
  thumbprint?: string;
  /** The key imports as an RS256 verification key of MIN_RSA_BITS or more. */
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
  /** Indexes of the entries usable for RS256. */
  usable: number[];
}

/** Minimum RSA modulus for RS256 (NIST; jose refuses smaller keys). */
export const MIN_RSA_BITS = 2048;

/** JWK members only a private (or symmetric) key has: publishing them publishes the signing key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The bit length of a base64url big-endian unsigned integer (an RSA modulus), or undefined when it does not decode. */
export function modulusBits(n: unknown): number | undefined {
  if (typeof n !== 'string' || !B64URL.test(n)) return undefined;
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return undefined;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

/** RFC 7638 SHA-256 thumbprint of an RSA public JWK: the required members e, kty, n in lexical order, no spaces. */
export function rsaThumbprint(e: string, n: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes a key for messages: "key 2 (kid abc)". */
export function keyLabel(report: Pick<KeyReport, 'index' | 'kid'>): string {
  return `key ${report.index}${report.kid ? ` (kid ${report.kid})` : ''}`;
}

/** Judges one entry: its report and its problems. */
function judgeKey(entry: unknown, index: number): { report: KeyReport; problems: KeySetProblem[] } {
  const report: KeyReport = { index, rs256: false };
  const problems: KeySetProblem[] = [];
  if (!isObject(entry)) return { report, problems: [{ id: 'keyNotObject', severity: 'warn', key: `key ${index}` }] };
  Object.assign(report, {
    ...(str(entry.kid) !== undefined ? { kid: str(entry.kid) } : {}),
    ...(str(entry.kty) !== undefined ? { kty: str(entry.kty) } : {}),
    ...(str(entry.alg) !== undefined ? { alg: str(entry.alg) } : {}),
    ...(str(entry.use) !== undefined ? { use: str(entry.use) } : {}),
  });
  const key = keyLabel(report);
  const secrets = PRIVATE_MEMBERS.filter((m) => m in entry);
  if (secrets.length) problems.push({ id: 'privateMaterial', severity: 'fail', key, names: [...secrets] });
  if (report.kty !== 'RSA') {
    problems.push({ id: 'notRsa', severity: 'warn', key, value: report.kty ?? '(missing)' });
    return { report, problems };
  }
  if (report.alg !== undefined && report.alg !== 'RS256') problems.push({ id: 'algNotRs256', severity: 'warn', key, value: report.alg });
  if (report.use !== undefined && report.use !== 'sig') problems.push({ id: 'useNotSig', severity: 'warn', key, value: report.use });
  if (report.kid === undefined) problems.push({ id: 'missingKid', severity: 'warn', key });
  const bits = modulusBits(entry.n);
  const e = str(entry.e);
  if (bits === undefined || e === undefined || !B64URL.test(e)) {
    // Checked before importing: Node decodes base64url leniently and would import garbage as some key.
    problems.push({
      id: 'unimportable',
      severity: 'warn',
      key,
      value: bits === undefined ? 'no valid modulus n (base64url)' : 'no valid exponent e (base64url)',
    });
    return { report, problems };
  }
  report.modulusBits = bits;
  report.thumbprint = rsaThumbprint(e, entry.n as string);
  if (bits < MIN_RSA_BITS) {
    problems.push({ id: 'weakModulus', severity: 'fail', key, bits });
    return { report, problems };
  }
  try {
    // The public part only: a published private key is reported above, and must not make the key "usable".
    createPublicKey({ key: { kty: 'RSA', n: entry.n as string, e }, format: 'jwk' });
    report.rs256 = true;
  } catch (err) {
    problems.push({ id: 'unimportable', severity: 'warn', key, value: err instanceof Error ? err.message : String(err) });
  }
  return { report, problems };
}

/** Flags kids naming different keys. The same material under one kid (a key served twice) is harmless. */
function duplicateKids(reports: readonly KeyReport[]): KeySetProblem[] {
  const byKid = new Map<string, KeyReport[]>();
  for (const r of reports) if (r.kid !== undefined) byKid.set(r.kid, [...(byKid.get(r.kid) ?? []), r]);
  const problems: KeySetProblem[] = [];
  for (const [kid, same] of byKid) {
    if (same.length < 2 || new Set(same.map((r) => r.thumbprint ?? `#${r.index}`)).size === 1) continue;
    problems.push({ id: 'duplicateKid', severity: 'warn', value: kid, names: same.map((r) => `key ${r.index}`) });
  }
  return problems;
}

function verdict(problems: KeySetProblem[], keys: KeyReport[], keyCount: number): KeySetJudgement {
  const status = problems.some((p) => p.severity === 'fail') ? 'fail' : problems.length ? 'warn' : 'pass';
  const kids = keys.flatMap((k) => (k.kid !== undefined ? [k.kid] : []));
  return { status, keyCount, kids, keys, problems, usable: keys.filter((k) => k.rs256).map((k) => k.index) };
}

/** Judges a parsed JWKS document. Never throws. */
export function judgeKeySet(doc: unknown): KeySetJudgement {
  if (!isObject(doc)) return verdict([{ id: 'notObject', severity: 'fail' }], [], 0);
  if (!('keys' in doc)) return verdict([{ id: 'keysMissing', severity: 'fail' }], [], 0);
  if (!Array.isArray(doc.keys)) return verdict([{ id: 'keysNotArray', severity: 'fail' }], [], 0);
  if (doc.keys.length === 0) return verdict([{ id: 'keysEmpty', severity: 'fail' }], [], 0);
  const judged = doc.keys.map((entry: unknown, i: number) => judgeKey(entry, i));
  const reports = judged.map((j) => j.report);
  const problems = [...judged.flatMap((j) => j.problems), ...duplicateKids(reports)];
  if (!reports.some((r) => r.rs256)) problems.push({ id: 'noRs256Key', severity: 'fail' });
  return verdict(problems, reports, doc.keys.length);
}
