// Current TLS guidance the proxy-tls check judges against, as data, with where each rule comes from.
//   Mozilla Server Side TLS, "intermediate" configuration, version 5.7 (https://wiki.mozilla.org/Security/Server_Side_TLS,
//     machine-readable at https://ssl-config.mozilla.org/guidelines/5.7.json): TLS 1.2 and 1.3 only; ECDHE/DHE key exchange
//     with AES-GCM or ChaCha20-Poly1305; RSA keys of 2048 bits or ECDSA P-256/P-384; sha256WithRSAEncryption or ecdsa-with-SHA256/384/512.
//   NIST SP 800-52 Rev. 2 (2019), Guidelines for TLS Implementations: servers support TLS 1.2 and 1.3 and not TLS 1.0/1.1;
//     NIST SP 800-131A Rev. 2: SHA-1 is disallowed for digital signature generation; RSA keys below 2048 bits are disallowed.

export const GUIDANCE = {
  mozilla: 'Mozilla Server Side TLS 5.7 "intermediate" (https://wiki.mozilla.org/Security/Server_Side_TLS)',
  nist: 'NIST SP 800-52 Rev. 2 (https://doi.org/10.6028/NIST.SP.800-52r2)',
  nistSignatures: 'NIST SP 800-131A Rev. 2 (https://doi.org/10.6028/NIST.SP.800-131Ar2)',
} as const;

/** Mozilla "intermediate" TLS 1.2 ciphers in OpenSSL names (TLS 1.3 suites are all acceptable). */
export const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The smallest acceptable certificate keys, by key type (bits; for EC the curve size). */
export const MIN_KEY_BITS: Readonly<Record<string, number>> = { rsa: 2048, 'rsa-pss': 2048, ec: 256, dsa: 2048 };

/** Certificate signature algorithms no guidance accepts any more (SHA-1, MD5, MD2). */
export const WEAK_SIGNATURE = /sha1|md5|md2/i;
