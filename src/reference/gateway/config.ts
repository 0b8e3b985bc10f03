// The reference AI gateway's configuration: the real gateway's environment variables (ai_gateway/config.py, ai-gateway
// aec48795e, read by pydantic-settings with prefix AIGW_ and "__" for nesting) plus the reference server's own knobs.
import { readFileSync } from 'node:fs';
import { envLookup, parsePydanticBool } from '../../judge/pydantic-bool.js';
import type { TlsOptions } from '../http.js';
import type { AuthSwitches } from './auth.js';

/** An environment as the gateway reads it. */
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

/** The gateway's own key pair (ConfigSelfSignedJwt): PEM private keys, "" when unset. */
export interface SelfSignedJwt {
  signingKey: string;
  validationKey: string;
}

/** The settings the server runs with, resolved once at start. */
export interface GatewayConfig {
  /**
   * AIGW_GITLAB_URL as given (an empty value stays empty, as pydantic-settings reads it), else the gateway's default
   * DEFAULT_GITLAB_URL. The reference never contacts that default (see fetchGitLabKeys).
   */
  gitlabUrl: string;
  auth: AuthSwitches;
  selfSignedJwt: SelfSignedJwt;
  /** The CA bundle Python requests verifies GitLab with (REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE); undefined = certifi's roots. */
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

/** The three ConfigAuth switches, by environment variable. */
export const BYPASS_SWITCHES = {
  bypassExternal: 'AIGW_AUTH__BYPASS_EXTERNAL',
  bypassExternalWithHeader: 'AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER',
  bypassJwtSignature: 'AIGW_AUTH__BYPASS_JWT_SIGNATURE',
} as const satisfies Record<keyof AuthSwitches, string>;

/** Reads the switches as pydantic does; a value pydantic refuses stops the gateway at start, and the reference with it. */
export function readAuthSwitches(env: GatewayEnv): AuthSwitches {
  const read = (name: string): boolean => {
    const found = envLookup(env, name);
    const parsed = parsePydanticBool(found?.value);
    if (parsed.kind === 'invalid') {
      throw new Error(`1 validation error for Config: ${name} "${parsed.raw}": Input should be a valid boolean, unable to interpret input`);
    }
    return parsed.kind === 'bool' && parsed.value;
  };
  return {
    bypassExternal: read(BYPASS_SWITCHES.bypassExternal),
    bypassExternalWithHeader: read(BYPASS_SWITCHES.bypassExternalWithHeader),
    bypassJwtSignature: read(BYPASS_SWITCHES.bypassJwtSignature),
  };
}

/**
 * The bundle Python requests verifies with, as requests.Session.merge_environment_settings picks it: REQUESTS_CA_BUNDLE,
 * else CURL_CA_BUNDLE (an empty value counts as unset), else certifi's bundle — for which Node's default roots (the same
 * Mozilla list) stand in. SSL_CERT_FILE is never read by requests.
 */
export function requestsCaBundle(env: GatewayEnv): string | undefined {
  const file = env['REQUESTS_CA_BUNDLE'] || env['CURL_CA_BUNDLE'];
  return file ? readFileSync(file, 'utf8') : undefined;
}

/** The gateway's gitlab_url when AIGW_GITLAB_URL is unset (ai_gateway/config.py Config.gitlab_url, flyisland/ai-gateway aec48795e; unchanged at 95a8d76dd). */
export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

/** Resolves options and env into the running configuration (reads the CA bundle file, which may throw). */
export function resolveGatewayConfig(opts: GatewayOptions): GatewayConfig {
  const env = opts.env ?? process.env;
  const ca = requestsCaBundle(env);
  const gitlabUrl = envLookup(env, 'AIGW_GITLAB_URL')?.value;
  return {
    gitlabUrl: gitlabUrl ?? DEFAULT_GITLAB_URL,
    auth: readAuthSwitches(env),
    selfSignedJwt: {
      signingKey: envLookup(env, 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY')?.value ?? '',
      validationKey: envLookup(env, 'AIGW_SELF_SIGNED_JWT__VALIDATION_KEY')?.value ?? '',
    },
    ...(ca ? { ca } : {}),
    jwksCacheSeconds: opts.jwksCacheSeconds ?? 86_400,
    latencyMs: opts.latencyMs ?? 0,
    version: opts.version ?? DEFAULT_GATEWAY_VERSION,
    streamChunks: opts.streamChunks ?? 5,
    streamIntervalMs: opts.streamIntervalMs ?? 200,
    log: opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}
