// The reference AI gateway's configuration: the real gateway's environment variables plus the reference server's knobs.
import { loadCaBundle, type TlsOptions } from '../http.js';

/** An environment as the gateway reads it (AIGW_*, SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
export type GatewayEnv = Readonly<Record<string, string | undefined>>;

/** Options of `startGateway`. */
export interface GatewayOptions {
  /** Environment read like the real gateway's; default: this process's. */
  env?: GatewayEnv;
  port?: number;
  host?: string;
  /** Serve https with this certificate chain (the guide puts NGINX in front for TLS; the reference can serve it itself). */
  tls?: TlsOptions;
  /** How long a fetched key set (or a failed, empty fetch) is trusted; default 86400, as the real gateway. */
  jwksCacheSeconds?: number;
  /** Added to every response (a benchmark knob). */
  latencyMs?: number;
  /** The image tag it reports, e.g. `self-hosted-v18.6.0-ee`. */
  version?: string;
  /** Streamed completions: number of chunks (default 5) and the pause between them (default 200 ms). */
  streamChunks?: number;
  streamIntervalMs?: number;
  /** Where log lines go (default: stderr). */
  log?: (line: string) => void;
}

/**
 * The settings the server runs with, resolved once at start. AIGW_GITLAB_API_URL and AIGW_CUSTOM_MODELS__ENABLED
 * change nothing the reference serves (it calls no GitLab API and no model); duo-doctor's gateway-env check reads them.
 */
export interface GatewayConfig {
  gitlabUrl?: string;
  bypassAuth: boolean;
  /** PEM bundle from SSL_CERT_FILE / REQUESTS_CA_BUNDLE, trusted for requests to GitLab. */
  ca?: string;
  jwksCacheSeconds: number;
  latencyMs: number;
  version: string;
  streamChunks: number;
  streamIntervalMs: number;
  log: (line: string) => void;
}

/** Default image tag: the one matching the reference GitLab's default version. */
export const DEFAULT_GATEWAY_VERSION = 'self-hosted-v19.4.1-ee';

/** Pydantic's reading of a boolean env value. */
function envBool(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on', 't', 'y'].includes((value ?? '').trim().toLowerCase());
}

/** Resolves options and env into the running configuration (reads the CA bundle file, which may throw). */
export function resolveGatewayConfig(opts: GatewayOptions): GatewayConfig {
  const env = opts.env ?? process.env;
  const ca = loadCaBundle(env);
  return {
    ...(env['AIGW_GITLAB_URL'] ? { gitlabUrl: env['AIGW_GITLAB_URL'] } : {}),
    bypassAuth: envBool(env['AIGW_AUTH__BYPASS_EXTERNAL']),
    ...(ca ? { ca } : {}),
    jwksCacheSeconds: opts.jwksCacheSeconds ?? 86_400,
    latencyMs: opts.latencyMs ?? 0,
    version: opts.version ?? DEFAULT_GATEWAY_VERSION,
    streamChunks: opts.streamChunks ?? 5,
    streamIntervalMs: opts.streamIntervalMs ?? 200,
    log: opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}
