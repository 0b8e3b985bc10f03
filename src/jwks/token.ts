// Judges a token GitLab hands out against a key set, the way the AI gateway decodes it (RS256, audience gitlab-ai-gateway, no leeway).
// jose is imported where it is used, so loading the check registry (`list`, `explain`) does not load it.
import type { CryptoKey, JWK, KeyObject } from 'jose';
import { errorMessage } from '../error-message.js';

/** The audience the gateway requires (ai_gateway CompositeProvider.AUDIENCE). */
export const GATEWAY_AUDIENCE = 'gitlab-ai-gateway';
/** The only algorithm the gateway accepts. */
export const GATEWAY_ALGORITHM = 'RS256';
/** `iss` of tokens the gateway mints itself (its `/v1/code/user_access_token`, which current GitLab calls for direct_access). */
export const GATEWAY_ISSUER = 'gitlab-ai-gateway';
/** Clock skew thresholds, seconds. */
export const SKEW_WARN_S = 30;
export const SKEW_FAIL_S = 300;

/** The protected header, as printed (never the signature or payload bytes). */
export interface TokenHeader {
  alg?: string;
  kid?: string;
  typ?: string;
}

/** The claims safe to print: nothing that authenticates by itself. */
export interface TokenClaims {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  gitlab_realm?: string;
  scopes?: string[];
  iat?: number;
  nbf?: number;
  exp?: number;
}

/** How the signature check went. */
export type SignatureVerdict =
  /** A key with the token's kid verifies it. */
  | { kind: 'verified'; kid?: string }
  /** No key carries the token's kid (or standard selection skipped it), but another key verifies it: the gateway tries every key. */
  | { kind: 'verified-other-key'; kid?: string; index: number }
  /** No key in the set verifies it, and none carries its kid: GitLab signs with a key the set lacks (rotation). */
  | { kind: 'kid-not-found' }
  /** A key with its kid is there, but the signature does not verify with any key. */
  | { kind: 'bad-signature'; reason: string }
  /** Minted and signed by the gateway itself, with its own key: GitLab's key set is not meant to verify it. */
  | { kind: 'minted-by-gateway' }
  /** Not attempted (malformed token, or an algorithm the gateway refuses). */
  | { kind: 'not-checked'; reason: string };

export type TokenProblemId =
  | 'malformed'
  | 'alg-not-rs256'
  | 'kid-not-found'
  | 'bad-signature'
  | 'other-key'
  | 'audience'
  | 'audience-missing'
  | 'expired'
  | 'not-yet-valid'
  | 'clock-skew';

export interface TokenProblem {
  id: TokenProblemId;
  severity: 'fail' | 'warn';
  message: string;
}

/** One measurement of the offset between this host's clock and another party's; positive = this host is ahead. */
export interface ClockOffset {
  seconds: number;
  source: 'Date header' | 'iat';
}

export interface TokenJudgement {
  status: 'pass' | 'warn' | 'fail';
  header: TokenHeader;
  claims: TokenClaims;
  signature: SignatureVerdict;
  /** Whether a key in the set carries the token's kid (undefined when the token has no kid). */
  kidFound?: boolean;
  offsets: ClockOffset[];
  /** The offset of largest magnitude, rounded to seconds. */
  skewSeconds?: number;
  problems: TokenProblem[];
}

/** What the judge needs besides the token and keys. */
export interface TokenContext {
  /** This host's time when the token arrived. */
  now: Date;
  /** GitLab's `Date` response header, parsed. */
  serverDate?: Date;
}

function pick<T>(value: unknown, is: (v: unknown) => v is T): T | undefined {
  return is(value) ? value : undefined;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isAudience = (v: unknown): v is string | string[] => isString(v) || (Array.isArray(v) && v.every(isString));
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** The printable subset of a token's claims. */
export function printableClaims(payload: Record<string, unknown>): TokenClaims {
  const claims: TokenClaims = {
    iss: pick(payload.iss, isString),
    aud: pick(payload.aud, isAudience),
    sub: pick(payload.sub, isString),
    gitlab_realm: pick(payload.gitlab_realm, isString),
    scopes: pick(payload.scopes, isStrings),
    iat: pick(payload.iat, isNumber),
    nbf: pick(payload.nbf, isNumber),
    exp: pick(payload.exp, isNumber),
  };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as TokenClaims;
}


/** The code of a jose error, if any. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Verifies with standard kid selection (jose's local key set), trying every candidate when several match. */
async function verifyByKid(token: string, keys: readonly JWK[]): Promise<'verified' | 'no-match' | 'failed'> {
  const { compactVerify, createLocalJWKSet } = await import('jose');
  const set = createLocalJWKSet({ keys: [...keys] });
  const options = { algorithms: [GATEWAY_ALGORITHM] };
  try {
    await compactVerify(token, set, options);
    return 'verified';
  } catch (err) {
    if (codeOf(err) === 'ERR_JWKS_NO_MATCHING_KEY') return 'no-match';
    if (codeOf(err) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') return 'failed';
    for await (const key of err as AsyncIterable<KeyObject | CryptoKey>) {
      try {
        await compactVerify(token, key, options);
        return 'verified';
      } catch {
        // Try the next candidate.
      }
    }
    return 'failed';
  }
}

/** What the gateway's python-jose does with a key set: try every key, whatever its kid, alg or use. Returns the index that verifies. */
async function verifyAnyKey(token: string, keys: readonly JWK[]): Promise<number | undefined> {
  const { compactVerify, importJWK } = await import('jose');
  for (const [index, jwk] of keys.entries()) {
    try {
      const key = await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, GATEWAY_ALGORITHM);
      await compactVerify(token, key, { algorithms: [GATEWAY_ALGORITHM] });
      return index;
    } catch {
      // Not this key.
    }
  }
  return undefined;
}

async function checkSignature(token: string, header: TokenHeader, claims: TokenClaims, keys: readonly JWK[], kidFound: boolean | undefined): Promise<SignatureVerdict> {
  if (header.alg !== GATEWAY_ALGORITHM) return { kind: 'not-checked', reason: `alg ${header.alg ?? '(missing)'} is not ${GATEWAY_ALGORITHM}` };
  const byKid = await verifyByKid(token, keys);
  if (byKid === 'verified') return { kind: 'verified', kid: header.kid };
  const index = await verifyAnyKey(token, keys);
  if (index !== undefined) return { kind: 'verified-other-key', kid: keys[index]?.kid, index };
  if (!kidFound && claims.iss === GATEWAY_ISSUER) return { kind: 'minted-by-gateway' };
  if (!kidFound) return { kind: 'kid-not-found' };
  return { kind: 'bad-signature', reason: 'no key in the set verifies the signature, including the one with its kid' };
}

/** Offsets between this host and the token's issuer / GitLab's Date header. */
function clockOffsets(claims: TokenClaims, context: TokenContext): ClockOffset[] {
  const nowS = context.now.getTime() / 1000;
  const offsets: ClockOffset[] = [];
  if (context.serverDate && !Number.isNaN(context.serverDate.getTime())) {
    offsets.push({ seconds: Math.round(nowS - context.serverDate.getTime() / 1000), source: 'Date header' });
  }
  if (claims.iat !== undefined) offsets.push({ seconds: Math.round(nowS - claims.iat), source: 'iat' });
  return offsets;
}

function describeOffset(seconds: number): string {
  return seconds >= 0 ? `this host is ${seconds} s ahead` : `this host is ${-seconds} s behind`;
}

/** Audience and time problems, judged on this host's clock with no leeway (python-jose's default). */
function claimProblems(claims: TokenClaims, now: Date): TokenProblem[] {
  const problems: TokenProblem[] = [];
  const nowS = Math.floor(now.getTime() / 1000);
  if (claims.aud === undefined) {
    problems.push({
      id: 'audience-missing',
      severity: 'warn',
      message: `the token has no aud claim: the gateway's python-jose lets that pass, strict verifiers expecting ${GATEWAY_AUDIENCE} do not`,
    });
  } else if (!(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(GATEWAY_AUDIENCE)) {
    problems.push({
      id: 'audience',
      severity: 'fail',
      message: `aud is ${JSON.stringify(claims.aud)}, not ${GATEWAY_AUDIENCE}: the gateway rejects it ("Forbidden by auth provider")`,
    });
  }
  if (claims.exp !== undefined && claims.exp < nowS) {
    problems.push({ id: 'expired', severity: 'fail', message: `the token expired ${nowS - claims.exp} s ago by this host's clock` });
  }
  if (claims.nbf !== undefined && claims.nbf > nowS) {
    problems.push({
      id: 'not-yet-valid',
      severity: 'fail',
      message: `the token is not valid for another ${claims.nbf - nowS} s (nbf) by this host's clock: a gateway with this clock rejects fresh tokens`,
    });
  }
  return problems;
}

function signatureProblem(signature: SignatureVerdict, header: TokenHeader): TokenProblem | undefined {
  switch (signature.kind) {
    case 'not-checked':
      return { id: header.alg === undefined ? 'malformed' : 'alg-not-rs256', severity: 'fail', message: `signature not checked: ${signature.reason}; the gateway accepts RS256 only` };
    case 'kid-not-found':
      return {
        id: 'kid-not-found',
        severity: 'fail',
        message: `GitLab signed with kid ${header.kid ?? '(none)'}, which is not in the key set and no other key verifies it (key rotated since the set was published)`,
      };
    case 'bad-signature':
      return { id: 'bad-signature', severity: 'fail', message: `the signature does not verify: ${signature.reason}` };
    case 'verified-other-key':
      return {
        id: 'other-key',
        severity: 'warn',
        message:
          `key ${signature.index}${signature.kid ? ` (kid ${signature.kid})` : ''} verifies the token but does not carry its kid ${header.kid ?? '(none)'} ` +
          '(or says another alg/use): the gateway tries every key and accepts it; verifiers that select by kid do not',
      };
    default:
      return undefined;
  }
}

/** Judges `token` against `keys` (the JWKS entries usable for RS256, or all of them). Never throws; never returns the token. */
export async function judgeToken(token: string, keys: readonly JWK[], context: TokenContext): Promise<TokenJudgement> {
  const { decodeJwt, decodeProtectedHeader } = await import('jose');
  let header: TokenHeader;
  let claims: TokenClaims;
  try {
    const h = decodeProtectedHeader(token);
    header = Object.fromEntries(Object.entries({ alg: h.alg, kid: h.kid, typ: h.typ }).filter(([, v]) => typeof v === 'string')) as TokenHeader;
    claims = printableClaims(decodeJwt(token) as Record<string, unknown>);
  } catch (err) {
    const problem: TokenProblem = { id: 'malformed', severity: 'fail', message: `the token is not a well-formed JWT: ${errorMessage(err)}` };
    return { status: 'fail', header: {}, claims: {}, signature: { kind: 'not-checked', reason: 'malformed token' }, offsets: [], problems: [problem] };
  }
  const kidFound = header.kid === undefined ? undefined : keys.some((k) => k.kid === header.kid);
  const signature = await checkSignature(token, header, claims, keys, kidFound);
  const problems: TokenProblem[] = [];
  const sigProblem = signatureProblem(signature, header);
  if (sigProblem) problems.push(sigProblem);
  problems.push(...claimProblems(claims, context.now));

  const offsets = clockOffsets(claims, context);
  const worst = offsets.reduce<ClockOffset | undefined>((a, o) => (a === undefined || Math.abs(o.seconds) > Math.abs(a.seconds) ? o : a), undefined);
  if (worst && Math.abs(worst.seconds) > SKEW_WARN_S) {
    const fail = Math.abs(worst.seconds) > SKEW_FAIL_S;
    problems.push({
      id: 'clock-skew',
      severity: fail ? 'fail' : 'warn',
      message: `clock skew from the ${worst.source}: ${describeOffset(worst.seconds)} (${fail ? 'fail' : 'warn'} above ${fail ? SKEW_FAIL_S : SKEW_WARN_S} s)`,
    });
  }
  const status = problems.some((p) => p.severity === 'fail') ? 'fail' : problems.length ? 'warn' : 'pass';
  return { status, header, claims, signature, ...(kidFound !== undefined ? { kidFound } : {}), offsets, ...(worst ? { skewSeconds: worst.seconds } : {}), problems };
}
