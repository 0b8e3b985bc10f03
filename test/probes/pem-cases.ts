// The fixture bundles' expected split, shared by pem.test.ts (splitPem) and pem.integration.test.ts (Python's ssl agrees).
import type { BundleKind } from '../../scripts/fixtures.js';

export interface BundleCase {
  kind: BundleKind;
  ok: number;
  /** Index of each bad block and a pattern for its problem. */
  bad: [number, RegExp][];
  problems?: RegExp;
  /** What Python's ssl.create_default_context(cafile=) says: loads, or the error it raises. */
  python: 'loads' | 'PEM lib' | 'NO_CERTIFICATE_OR_CRL_FOUND';
}

export const bundleCases: BundleCase[] = [
  { kind: 'good', ok: 1, bad: [], python: 'loads' },
  { kind: 'withIntermediate', ok: 2, bad: [], python: 'loads' },
  { kind: 'truncated', ok: 1, bad: [[2, /truncated|not a multiple of 4/]], python: 'PEM lib' },
  { kind: 'missingEnd', ok: 1, bad: [[2, /no END line: the block is truncated/]], python: 'PEM lib' },
  { kind: 'garbageBetween', ok: 2, bad: [], python: 'loads' },
  { kind: 'privateKey', ok: 2, bad: [], python: 'loads' },
  { kind: 'der', ok: 0, bad: [], problems: /binary, not PEM.*DER/, python: 'NO_CERTIFICATE_OR_CRL_FOUND' },
  { kind: 'crlf', ok: 2, bad: [], python: 'loads' },
  { kind: 'bom', ok: 1, bad: [], python: 'loads' },
  { kind: 'empty', ok: 0, bad: [], problems: /empty/, python: 'NO_CERTIFICATE_OR_CRL_FOUND' },
  { kind: 'badBase64', ok: 1, bad: [[2, /invalid base64 character "-" at line \d+ \(base64url/]], python: 'PEM lib' },
  { kind: 'nestedBegin', ok: 1, bad: [[1, /no END line before the next BEGIN at line \d+/]], python: 'PEM lib' },
  { kind: 'leafInside', ok: 2, bad: [], python: 'loads' },
  { kind: 'duplicate', ok: 3, bad: [], python: 'loads' },
];
