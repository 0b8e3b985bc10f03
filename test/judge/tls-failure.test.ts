// A failed TLS connection's code, classified: every code of each class, unknown and missing codes, and which classes are
// about the certificate (a fix to the trust or the certificate) rather than the handshake.
import { describe, expect, it } from 'vitest';
import { classifyTlsFailure, isCertificateProblem, type TlsFailureClass } from '../../src/judge/tls-failure.js';

describe('classifyTlsFailure', () => {
  it.each([
    ['UNABLE_TO_GET_ISSUER_CERT', 'untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted'],
    ['CERT_UNTRUSTED', 'untrusted'],
    ['CERT_CHAIN_TOO_LONG', 'untrusted'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host'],
    ['HOSTNAME_MISMATCH', 'wrong-host'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls'],
    ['ERR_SSL_HTTP_REQUEST', 'not-tls'],
    ['ECONNRESET', 'other'],
    ['cert_has_expired', 'other'],
    ['', 'other'],
    [undefined, 'other'],
  ] as const)('%j → %s', (code, cls) => {
    expect(classifyTlsFailure(code)).toBe(cls);
  });
});

describe('isCertificateProblem', () => {
  it.each([
    ['untrusted', true],
    ['expired', true],
    ['not-yet-valid', true],
    ['wrong-host', true],
    ['not-tls', false],
    ['other', false],
  ] as [TlsFailureClass, boolean][])('%s → %s', (cls, want) => {
    expect(isCertificateProblem(cls)).toBe(want);
  });
});
