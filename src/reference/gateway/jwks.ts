// The gateway's key set: GitLab's keys (OIDC discovery → jwks_uri, fetched with Python requests) merged with the gateway's
// own, cached as CompositeProvider caches them (ai-gateway ai_gateway/cloud_connector/providers.py, f73a3b07d^).
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { fetchText } from '../http.js';
import { GATEWAY_SERVICE_NAME } from './auth.js';
import { DEFAULT_GITLAB_URL, type SelfSignedJwt } from './config.js';

/** Timeout of each of the two fetches (providers.py REQUEST_TIMEOUT_SECONDS). */
const FETCH_TIMEOUT_MS = 10_000;

/** A key set as last loaded: possibly empty, with what went wrong. */
export interface KeySet {
  keys: JWK[];
  /** What went wrong, for the gateway's log and `/monitoring/ready` (never a secret). */
  error?: string;
}

/**
 * GitLabOidcProvider: `<gitlabUrl>/.well-known/openid-configuration` joined like urljoin with a leading slash (a path
 * prefix is dropped), then its `jwks_uri`; requests.get follows redirects; a failure gives no keys. The CustomersDot
 * provider (customer_portal_url, https://customers.gitlab.com) is left out: the reference never contacts a public host,
 * and on a self-hosted gateway without internet that fetch contributes no key either.
 */
export async function fetchGitLabKeys(gitlabUrl: string, ca: string | undefined): Promise<KeySet> {
  if (gitlabUrl === DEFAULT_GITLAB_URL) return gitlabComKeys();
  try {
    const discoveryUrl = new URL('/.well-known/openid-configuration', gitlabUrl).toString();
    const discovery = await fetchText({ url: discoveryUrl, ca, timeoutMs: FETCH_TIMEOUT_MS });
    const jwksUri = (JSON.parse(discovery.body) as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== 'string' || !jwksUri) return { keys: [], error: `no jwks_uri in ${discoveryUrl}` };
    const jwks = await fetchText({ url: jwksUri, ca, timeoutMs: FETCH_TIMEOUT_MS });
    const keys = (JSON.parse(jwks.body) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) return { keys: [], error: `no keys array in ${jwksUri}` };
    return keys.length ? { keys: keys as JWK[] } : { keys: [], error: `${jwksUri} holds no keys` };
  } catch (err) {
    return { keys: [], error: (err as Error).message };
  }
}

let gitlabComStandIn: JWK | undefined;

/**
 * AIGW_GITLAB_URL unset: the real gateway fetches gitlab.com's keys, which verify no token a self-managed GitLab signs.
 * The reference sends nothing off this machine, so a stand-in key (generated once, kid `gitlab.com-stand-in`) plays that
 * foreign key set: non-empty, as gitlab.com's is, and matching no token — the same refusal the real gateway gives.
 */
function gitlabComKeys(): KeySet {
  gitlabComStandIn ??= {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
    alg: 'RS256',
    kid: 'gitlab.com-stand-in',
    use: 'sig',
  };
  return {
    keys: [gitlabComStandIn],
    error: `AIGW_GITLAB_URL is not set: keys of ${DEFAULT_GITLAB_URL} (the gateway's default), which sign no token of a self-managed GitLab`,
  };
}

/** The public JWK of a PEM private key, as LocalAuthProvider publishes it (kid `<service>_<name>`, use sig); undefined when it does not parse. */
function localJwk(pem: string, name: 'signing_key' | 'validation_key'): JWK | undefined {
  if (!pem) return undefined;
  try {
    const { kty, n, e } = createPublicKey(pem).export({ format: 'jwk' });
    if (kty !== 'RSA') return undefined;
    return { kty, n, e, alg: 'RS256', kid: `${GATEWAY_SERVICE_NAME}_${name}`, use: 'sig' };
  } catch {
    return undefined;
  }
}

/**
 * LocalAuthProvider: the public halves of AIGW_SELF_SIGNED_JWT__SIGNING_KEY and __VALIDATION_KEY. In providers.py a
 * key that fails to parse leaves its variable unbound, the append raises, and CompositeProvider drops the provider's
 * whole contribution: both keys parse, or none is added.
 */
export function localKeys(keys: SelfSignedJwt): JWK[] {
  const signing = localJwk(keys.signingKey, 'signing_key');
  const validation = localJwk(keys.validationKey, 'validation_key');
  return signing && validation ? [signing, validation] : [];
}

/** CompositeProvider.load_jwks: the providers' keys, local first (LocalAuthProvider comes first in server.py). */
export async function loadKeySet(local: readonly JWK[], gitlabUrl: string, ca: string | undefined): Promise<KeySet> {
  const gitlab = await fetchGitLabKeys(gitlabUrl, ca);
  return { keys: [...local, ...gitlab.keys], ...(gitlab.error ? { error: gitlab.error } : {}) };
}

/**
 * The cached key set. Like CompositeProvider, an empty or failed load is cached too, for the whole period ({"keys": []}
 * is a non-empty dict, so jwks() returns it) — why a gateway started before GitLab was reachable fails until restarted.
 */
export class KeySetCache {
  private current?: { value: Promise<KeySet>; expiresAt: number };

  constructor(
    private readonly load: () => Promise<KeySet>,
    private readonly ttlSeconds: number,
  ) {}

  /** The cached key set, loaded first when missing or expired (concurrent callers share one load). */
  get(): Promise<KeySet> {
    const now = Date.now();
    if (!this.current || this.current.expiresAt <= now) {
      this.current = { value: this.load(), expiresAt: now + this.ttlSeconds * 1000 };
    }
    return this.current.value;
  }
}
