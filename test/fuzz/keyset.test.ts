// Property tests of the JWKS validator: any JSON value, and key sets built from real and broken keys, judged consistently.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, messages } from '../../checks/jwks-valid.js';
import { renderJudgement, type Judgement, type Messages } from '../../src/check.js';
import { judgeKeySet, type KeySetJudgement, type KeySetProblem, type KeySetProblemId } from '../../src/judge/keyset.js';
import { privateJwk, testKey } from '../jwks/fixtures.js';
import { expectValidOutcome, runs } from './shape.js';

const PROBLEMS: readonly KeySetProblemId[] = [
  'notObject',
  'keysMissing',
  'keysNotArray',
  'keysEmpty',
  'keyNotObject',
  'privateMaterial',
  'weakModulus',
  'unimportable',
  'notRsa',
  'algNotRs256',
  'useNotSig',
  'missingKid',
  'duplicateKid',
  'noRs256Key',
];

const [main, other, weak] = await Promise.all([testKey('fuzz-main'), testKey('fuzz-other'), testKey('fuzz-weak', 1024)]);

/** A JWK-ish entry: real members mixed with wrong types, broken base64url, private members and junk. */
const member = (real: unknown[]) =>
  fc.oneof(fc.constantFrom(...real), fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null), fc.stringMatching(/^[A-Za-z0-9_-]{0,400}$/));
const jwkish = fc.record(
  {
    kty: member(['RSA', 'EC', 'oct', 'OKP', 'rsa']),
    n: member([main.jwk.n, other.jwk.n, weak.jwk.n, 'AA', '']),
    e: member(['AQAB', 'Aw', 'AA', '']),
    kid: member([main.kid, other.kid, 'k1', '']),
    alg: member(['RS256', 'HS256', 'none', 'RS512']),
    use: member(['sig', 'enc']),
    d: member(['AQAB']),
    k: member(['c2VjcmV0']),
  },
  { requiredKeys: [] },
);
const entry = fc.oneof(
  { weight: 3, arbitrary: jwkish },
  { weight: 2, arbitrary: fc.constantFrom(main.jwk, other.jwk, weak.jwk, privateJwk(main), { ...main.jwk, kid: other.kid }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);
const keySet = fc.oneof(
  { weight: 4, arbitrary: fc.record({ keys: fc.array(entry, { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ keys: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** The judgement's own consistency. */
function expectConsistent(doc: unknown, j: KeySetJudgement): void {
  expect(['pass', 'warn', 'fail']).toContain(j.status);
  for (const p of j.problems) {
    expect(PROBLEMS).toContain(p.id);
    // Each problem is its own message's data (a union the table's per-id signatures cannot take at once).
    expect((messages[p.id].text as (data: KeySetProblem) => string)(p)).toMatch(/^[^\n]+$/);
  }
  expect(j.status === 'fail').toBe(j.problems.some((p) => p.severity === 'fail'));
  expect(j.status === 'pass').toBe(j.problems.length === 0);
  const keys = (doc as { keys?: unknown } | null)?.keys;
  expect(j.keyCount).toBe(Array.isArray(keys) && typeof doc === 'object' && !Array.isArray(doc) ? keys.length : 0);
  expect(j.usable.length).toBe(j.keys.filter((k) => k.rs256).length);
  // A usable key is never one that publishes private material or is under 2048 bits.
  for (const k of j.keys.filter((r) => r.rs256)) expect(k.modulusBits).toBeGreaterThanOrEqual(2048);
  if (j.usable.length === 0 && j.keyCount > 0) expect(j.problems.map((p) => p.id)).toContain('noRs256Key');
}

describe('the JWKS validator under generated key sets', () => {
  it('judgeKeySet: never throws; status, counts and problems consistent', async () => {
    await fc.assert(
      fc.property(keySet, (doc) => expectConsistent(doc, judgeKeySet(doc))),
      { numRuns: runs(1_500) },
    );
  });

  it('jwks-valid: any key set gives a valid check outcome', async () => {
    await fc.assert(
      fc.property(keySet, (doc) =>
        expectValidOutcome(
          renderJudgement(
            messages as Messages,
            judge({ fetched: { url: 'https://gitlab.fuzz.test/oauth/discovery/keys', doc } }) as Judgement<Messages>,
          ),
        ),
      ),
      { numRuns: runs(1_000) },
    );
  });
});
