// Which certificates each party trusts: the gateway (its CA bundle variables, else system roots) and GitLab / this tool.
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { CheckContext } from '../check.js';
import { readLimited } from '../fs/read-limited.js';
import { isCertificateLabel, splitPem, toPem, type PemBlock } from './pem.js';

/** Where a trust list comes from. For clientTrust, '--ca-file' means "system roots plus that file". */
export interface TrustSource {
  kind: 'REQUESTS_CA_BUNDLE' | 'SSL_CERT_FILE' | '--ca-file' | 'system';
  file?: string;
}

/** The certificates a party trusts. */
export interface Trust {
  source: TrustSource;
  /** PEMs: what to pass as `ca`. */
  ca: string[];
  /** Unreadable file, bad blocks: each names the file. */
  problems: string[];
}

/** A CA file as read from disk and split into blocks. */
export interface BundleRead {
  /** The absolute path. */
  file: string;
  /** Set when the file could not be read (ENOENT, EACCES, EISDIR, …). */
  readError?: { code: string; message: string };
  /** Size in bytes, when read. */
  size?: number;
  blocks: PemBlock[];
  problems: string[];
  /** PEMs of the certificate blocks that parsed. */
  certificates: string[];
}

/** A CA bundle larger than this is not one (Debian's whole public bundle is ~220 KB); /dev/zero stops here. */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

/** Reads and splits a CA file once per run (memo key `bundle:<absolute path>`). Never throws, never blocks on a FIFO. */
export function readBundle(ctx: CheckContext, file: string): Promise<BundleRead> {
  const path = resolve(file);
  return ctx.memo(`bundle:${path}`, async (): Promise<BundleRead> => {
    const read = await readLimited(path, MAX_BUNDLE_BYTES);
    if (!read.ok) {
      const { code, message } = read.failure;
      return { file: path, readError: { code, message: readErrorMessage(code, message) }, blocks: [], problems: [], certificates: [] };
    }
    return bundleFromText(path, read.data.toString('utf8'), read.data.length);
  });
}

/** A CA bundle's text split into blocks, with the PEMs of its certificate blocks that parsed; `size` defaults to the text's UTF-8 length. */
export function bundleFromText(file: string, text: string, size = Buffer.byteLength(text)): BundleRead {
  const { blocks, problems } = splitPem(text);
  const certificates = blocks.filter((b) => b.ok && b.der && isCertificateLabel(b.label)).map((b) => toPem(b.der as Buffer));
  return { file, size, blocks, problems, certificates };
}

function readErrorMessage(code: string, fallback: string): string {
  switch (code) {
    case 'ENOENT':
      return 'the file does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EFTYPE':
    case 'EFBIG':
      return `it ${fallback}`;
    default:
      return fallback;
  }
}

/** The trust a CA file gives: its certificates, and its problems prefixed with the file's name. */
async function bundleTrust(ctx: CheckContext, source: TrustSource & { file: string }): Promise<Trust> {
  const bundle = await readBundle(ctx, source.file);
  const problems = bundle.readError
    ? [`${bundle.file}: ${bundle.readError.message}`]
    : bundle.problems.map((p) => `${bundle.file}: ${p}`);
  return { source: { kind: source.kind, file: bundle.file }, ca: bundle.certificates, problems };
}

/**
 * How the gateway trusts GitLab: the bundle named by REQUESTS_CA_BUNDLE, else SSL_CERT_FILE (from the settings' env),
 * else the system roots. A bundle replaces the system roots, as it does for Python's requests/ssl. --ca-file stands in
 * for the gateway's bundle only when the environment read is not the gateway's (no AIGW_GITLAB_URL in it): where the
 * gateway's own environment is known, a bundle it does not name is one it does not use. Memoised (`trust:gateway`).
 */
export function gatewayTrust(ctx: CheckContext): Promise<Trust> {
  return ctx.memo('trust:gateway', () => {
    const { env, caFile } = ctx.settings;
    if (env.REQUESTS_CA_BUNDLE) return bundleTrust(ctx, { kind: 'REQUESTS_CA_BUNDLE', file: env.REQUESTS_CA_BUNDLE });
    if (env.SSL_CERT_FILE) return bundleTrust(ctx, { kind: 'SSL_CERT_FILE', file: env.SSL_CERT_FILE });
    if (caFile && !env.AIGW_GITLAB_URL) return bundleTrust(ctx, { kind: '--ca-file', file: caFile });
    return Promise.resolve(systemTrust());
  });
}

/** How GitLab (and this tool) trust others: the system roots plus the --ca-file certificates. Memoised (`trust:client`). */
export function clientTrust(ctx: CheckContext): Promise<Trust> {
  return ctx.memo('trust:client', async () => {
    const { caFile } = ctx.settings;
    if (!caFile) return systemTrust();
    const extra = await bundleTrust(ctx, { kind: '--ca-file', file: caFile });
    return { ...extra, ca: [...rootCertificates, ...extra.ca] };
  });
}

function systemTrust(): Trust {
  return { source: { kind: 'system' }, ca: [...rootCertificates], problems: [] };
}

/** "REQUESTS_CA_BUNDLE (/etc/ssl/ca.pem)", "the system roots", …: how reports name a trust source. */
export function describeTrustSource(source: TrustSource): string {
  if (source.kind === 'system') return "the system roots (Node's Mozilla list, as certifi ships it)";
  return `${source.kind} (${source.file ?? '?'})`;
}
