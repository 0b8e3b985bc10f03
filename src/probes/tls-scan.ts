// Which TLS protocol versions and cipher classes a server accepts, the way testssl.sh asks: one handshake per question,
// each offering only what is asked about, nothing sent after it. Handshakes only (no certificate verdict: gateway-tls
// judges the chain), so the certificate is not verified here. Client-side limits of this machine's OpenSSL are facts too:
// a question the client cannot ask (it refuses to offer the protocol or cipher) is `untestable`, never "refused".
import tls from 'node:tls';
import type { CheckContext } from '../check.js';
import { errorMessage } from '../error-message.js';
import { dial } from './socket.js';

export type Protocol = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export const PROTOCOLS: readonly Protocol[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * Cipher classes offered one at a time over TLS ≤ 1.2, as OpenSSL cipher strings. `@SECLEVEL=0` lets this machine's
 * OpenSSL 3 offer what its default level 1+ refuses (SHA-1, small keys, TLS 1.0/1.1 ciphers).
 */
export const CIPHER_CLASSES = {
  /** Static RSA key exchange: no forward secrecy. */
  staticRsa: 'kRSA:@SECLEVEL=0',
  tripleDes: '3DES:@SECLEVEL=0',
  rc4: 'RC4:@SECLEVEL=0',
  nullCipher: 'eNULL:@SECLEVEL=0',
  anonymous: 'aNULL:!eNULL:@SECLEVEL=0',
  export: 'EXP:@SECLEVEL=0',
  /** CBC-mode suites with SHA-1 or SHA-2 MACs (allowed by NIST SP 800-52r2, outside Mozilla's "intermediate"). */
  cbc: 'ECDHE+AES+SHA:DHE+AES+SHA:ECDHE+AES+SHA256:ECDHE+AES+SHA384:@SECLEVEL=0',
} as const;
export type CipherClass = keyof typeof CIPHER_CLASSES;

/** One handshake's result. */
export interface HandshakeResult {
  outcome: 'accepted' | 'refused' | 'untestable' | 'unreachable';
  protocol?: string;
  cipher?: string;
  /** Why it was refused, untestable or unreachable. */
  detail?: string;
}

export interface TlsScan {
  host: string;
  port: number;
  protocols: Record<Protocol, HandshakeResult>;
  ciphers: Record<CipherClass, HandshakeResult>;
}

/** Client-side refusals: this OpenSSL will not offer what was asked. */
const CLIENT_LIMITS =
  /no cipher(s)? (can be selected|available|match)|no protocols available|unsupported protocol|NO_CIPHER|NO_PROTOCOLS|version too low/i;
/** Connection-level failures: nothing was negotiated at all. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

/** What one handshake offers: protocol versions and ciphers. */
type TlsOffer = Pick<tls.ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;

/**
 * One secure context per offer, for the whole process: passed as options, each handshake built its own (~1 ms of CPU
 * each, 11 per endpoint and run). No roots in it: nothing is verified here.
 */
const offers = new Map<string, tls.SecureContext>();
function offerContext(offer: TlsOffer): tls.SecureContext {
  const key = JSON.stringify(offer);
  let context = offers.get(key);
  if (!context) offers.set(key, (context = tls.createSecureContext({ ...offer, ca: [] })));
  return context;
}

/** What a failed handshake (or an offer this OpenSSL will not make) says. */
function refusal(error: NodeJS.ErrnoException): HandshakeResult {
  const message = `${error.code ?? ''} ${errorMessage(error)}`.trim();
  // A client-side refusal happens before anything is sent; the server's alert mentions the alert, not these.
  if (CLIENT_LIMITS.test(message) && !/alert/i.test(message)) return { outcome: 'untestable', detail: message };
  return { outcome: UNREACHABLE.test(message) ? 'unreachable' : 'refused', detail: message };
}

/** One handshake offering only `options`; resolves with what was negotiated. */
export async function tryHandshake(host: string, port: number, options: TlsOffer, timeoutMs: number): Promise<HandshakeResult> {
  let secureContext: tls.SecureContext;
  try {
    secureContext = offerContext(options);
  } catch (error) {
    return refusal(error as NodeJS.ErrnoException);
  }
  return dial<HandshakeResult>(
    { host, port, tls: { rejectUnauthorized: false, secureContext }, timeoutMs },
    {
      connected(socket, finish) {
        const secure = socket as tls.TLSSocket;
        finish({ outcome: 'accepted', protocol: secure.getProtocol() ?? undefined, cipher: secure.getCipher()?.standardName });
      },
      error: (error, finish) => finish(refusal(error)),
      timeout: (finish, budgetMs) => finish({ outcome: 'refused', detail: `no handshake within ${budgetMs} ms` }),
    },
  );
}

/** Scans host:port once per run: each protocol alone, then each cipher class alone (TLS ≤ 1.2). */
export function scanTls(ctx: CheckContext, host: string, port: number): Promise<TlsScan> {
  return ctx.memo(`tls-scan:${host}:${port}`, async () => {
    const timeoutMs = Math.max(500, Math.floor(ctx.settings.timeoutMs / 4));
    const protocolResults = await Promise.all(
      PROTOCOLS.map((p) =>
        tryHandshake(host, port, { minVersion: p, maxVersion: p, ...(p === 'TLSv1.3' ? {} : { ciphers: 'ALL:@SECLEVEL=0' }) }, timeoutMs),
      ),
    );
    const classes = Object.keys(CIPHER_CLASSES) as CipherClass[];
    const cipherResults = await Promise.all(
      classes.map((c) => tryHandshake(host, port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: CIPHER_CLASSES[c] }, timeoutMs)),
    );
    return {
      host,
      port,
      protocols: Object.fromEntries(PROTOCOLS.map((p, i) => [p, protocolResults[i]])) as Record<Protocol, HandshakeResult>,
      ciphers: Object.fromEntries(classes.map((c, i) => [c, cipherResults[i]])) as Record<CipherClass, HandshakeResult>,
    };
  });
}
