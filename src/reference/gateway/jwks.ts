// The gateway's view of GitLab's signing keys: OIDC discovery → jwks_uri, fetched and cached as the real gateway does.
import type { JWK } from 'jose';
import { fetchText } from '../http.js';

/** Timeout of each of the two fetches (the real gateway's REQUEST_TIMEOUT_SECONDS). */
const FETCH_TIMEOUT_MS = 10_000;

/** A key set as last fetched: possibly empty, with the reason when a fetch failed. */
export interface KeySet {
  keys: JWK[];
  /** What went wrong, for the gateway's log and `/monitoring/ready` (never a secret). */
  error?: string;
}

/**
 * Fetches `<gitlabUrl>/.well-known/openid-configuration` (joined like Python's urljoin with a leading slash: any path
 * prefix on the URL is dropped), then its `jwks_uri`. Never throws: failures give an empty key set with the reason.
 */
export async function fetchKeySet(gitlabUrl: string | undefined, ca: string | undefined): Promise<KeySet> {
  if (!gitlabUrl) return { keys: [], error: 'AIGW_GITLAB_URL is not set' };
  try {
    const discoveryUrl = new URL('/.well-known/openid-configuration', gitlabUrl).toString();
    const discovery = await fetchText({ url: discoveryUrl, ca, timeoutMs: FETCH_TIMEOUT_MS });
    const jwksUri = (JSON.parse(discovery.body) as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== 'string') return { keys: [], error: `no jwks_uri in ${discoveryUrl}` };
    const jwks = await fetchText({ url: jwksUri, ca, timeoutMs: FETCH_TIMEOUT_MS });
    const keys = (JSON.parse(jwks.body) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) return { keys: [], error: `no keys array in ${jwksUri}` };
    return keys.length ? { keys: keys as JWK[] } : { keys: [], error: `${jwksUri} holds no keys` };
  } catch (err) {
    return { keys: [], error: (err as Error).message };
  }
}

/**
 * The cached key set. Like the real gateway, a failed or empty fetch is cached too, for the whole cache period —
 * which is why a gateway that started before GitLab was reachable rejects every token until restarted.
 */
export class KeySetCache {
  private current?: { value: Promise<KeySet>; expiresAt: number };

  constructor(
    private readonly load: () => Promise<KeySet>,
    private readonly ttlSeconds: number,
  ) {}

  /** The cached key set, fetched first when missing or expired (concurrent callers share one fetch). */
  get(): Promise<KeySet> {
    const now = Date.now();
    if (!this.current || this.current.expiresAt <= now) {
      this.current = { value: this.load(), expiresAt: now + this.ttlSeconds * 1000 };
    }
    return this.current.value;
  }
}
