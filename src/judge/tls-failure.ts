// What a failed TLS connection's error code says went wrong, so a fix can fit it: trust (a CA to add), an expired or
// not-yet-valid certificate (renew it), a name mismatch (use the certificate's name), or no TLS at all (plain http).
// Pure: shared by the checks that connect (gitlab-reachable, gateway-reachable).

/** The class of a TLS failure. */
export type TlsFailureClass = 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'not-tls' | 'other';

/** OpenSSL's verify codes (as Node names them) for an issuer this client does not trust. */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

/** Classifies a Node TLS error code (undefined or unknown: `other`). */
export function classifyTlsFailure(code: string | undefined): TlsFailureClass {
  if (!code) return 'other';
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not-yet-valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'wrong-host';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST') return 'not-tls';
  return 'other';
}

/** Whether the failure is about trust in the certificate rather than the handshake itself (a warning where the rake task warns). */
export function isCertificateProblem(cls: TlsFailureClass): boolean {
  return cls === 'untrusted' || cls === 'expired' || cls === 'not-yet-valid' || cls === 'wrong-host';
}
