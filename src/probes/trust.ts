// Which certificates each party trusts: the gateway (its CA bundle variables, else system roots) and GitLab / this tool.
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { CheckContext } from '../check.js';
import { runtimePlace } from '../runtime/host.js';
import { readLimited } from '../fs/read-limited.js';
import { isCertificateLabel, splitPem, toPem, type PemBlock } from './pem.js';

/** Where a trust list comes from. For clientTrust, '--ca-file' means "system roots plus that file". */
export interface TrustSource {
  kind: 'REQUESTS_CA_BUNDLE' | 'CURL_CA_BUNDLE' | 'SSL_VERIFY' | 'SSL_CERT_FILE' | '--ca-file' | 'system';
  file?: string;
}

/** The certificates a party trusts. */
export interface Trust {
  source: TrustSource;
  /** PEMs: what to pass as `ca`. */
  ca: string[];
  /** Unreadable file, bad blocks: each names the file. */
  problems: string[];
  /** The gateway's own trust is not known here (not where it runs, nothing described): certifi's roots stand in for it. */
  unknown?: true;
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
  /** The text as read (kept so a recorded run can be judged again). */
  text?: string;
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
  return { file, size, blocks, problems, certificates, text };
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
  const problems = bundle.readError ? [`${bundle.file}: ${bundle.readError.message}`] : bundle.problems.map((p) => `${bundle.file}: ${p}`);
  return { source: { kind: source.kind, file: bundle.file }, ca: bundle.certificates, problems };
}

/**
 * The gateway's trust when this process's environment is not the gateway's (runtimePlace is not 'gateway-env': another
 * host, or the container under --exec): this host's CA variables are not the gateway's, so --ca-file describes its bundle;
 * without it, certifi's roots stand in and the trust is unknown. Undefined when this environment is the gateway's.
 */
function describedTrust(ctx: CheckContext): Promise<Trust> | undefined {
  if (runtimePlace(ctx).kind === 'gateway-env') return undefined;
  const { caFile } = ctx.settings;
  return caFile ? bundleTrust(ctx, { kind: '--ca-file', file: caFile }) : Promise.resolve({ ...systemTrust(), unknown: true });
}

/**
 * How the gateway trusts GitLab when it fetches discovery and keys: with Python requests (GitLabOidcProvider,
 * ai-gateway ai_gateway/cloud_connector/providers.py), which takes REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE
 * (Session.merge_environment_settings; an empty value counts as unset), else certifi's bundle — never SSL_CERT_FILE. A
 * bundle replaces the roots. The variables are this process's only when its environment is the gateway's; else
 * describedTrust. Memoised (`trust:gateway`).
 */
export function gatewayTrust(ctx: CheckContext): Promise<Trust> {
  return ctx.memo('trust:gateway', () => {
    const described = describedTrust(ctx);
    if (described) return described;
    const { env } = ctx.settings;
    if (env.REQUESTS_CA_BUNDLE) return bundleTrust(ctx, { kind: 'REQUESTS_CA_BUNDLE', file: env.REQUESTS_CA_BUNDLE });
    if (env.CURL_CA_BUNDLE) return bundleTrust(ctx, { kind: 'CURL_CA_BUNDLE', file: env.CURL_CA_BUNDLE });
    return Promise.resolve(
      systemTrust(
        env.SSL_CERT_FILE
          ? [`SSL_CERT_FILE=${env.SSL_CERT_FILE} is set, but Python requests does not read it: name the bundle in REQUESTS_CA_BUNDLE`]
          : [],
      ),
    );
  });
}

/**
 * How the gateway trusts a model endpoint: model calls go through LiteLLM, whose get_ssl_configuration
 * (litellm/llms/custom_httpx/http_handler.py) takes SSL_VERIFY when it names an existing file, else SSL_CERT_FILE when
 * that file exists, else certifi; SSL_VERIFY=false turns verification off. REQUESTS_CA_BUNDLE is never read. The
 * variables are this process's only when its environment is the gateway's; else describedTrust. Memoised (`trust:gateway-models`).
 */
export function gatewayModelTrust(ctx: CheckContext): Promise<Trust> {
  return ctx.memo('trust:gateway-models', async () => {
    const described = describedTrust(ctx);
    if (described) return described;
    const { env } = ctx.settings;
    const verify = env.SSL_VERIFY;
    const notes: string[] = [];
    if (verify?.trim().toLowerCase() === 'false') notes.push("SSL_VERIFY=false: LiteLLM does not verify model endpoints' certificates at all");
    for (const kind of ['SSL_VERIFY', 'SSL_CERT_FILE'] as const) {
      const file = env[kind];
      if (!file || (kind === 'SSL_VERIFY' && /^(true|false)$/i.test(file.trim()))) continue;
      const bundle = await readBundle(ctx, file);
      if (bundle.readError?.code === 'ENOENT') {
        notes.push(`${kind}=${file} does not exist, so LiteLLM ignores it`);
        continue;
      }
      const trust = await bundleTrust(ctx, { kind, file });
      return { ...trust, problems: [...notes, ...trust.problems] };
    }
    return systemTrust(notes);
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

function systemTrust(problems: string[] = []): Trust {
  return { source: { kind: 'system' }, ca: [...rootCertificates], problems };
}

/** "REQUESTS_CA_BUNDLE (/etc/ssl/ca.pem)", "the system roots", …: how reports name a trust source. */
export function describeTrustSource(source: TrustSource): string {
  if (source.kind === 'system') return "certifi's roots (the Mozilla list; Node's copy stands in)";
  return `${source.kind} (${source.file ?? '?'})`;
}
