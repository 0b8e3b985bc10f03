// What the gateway does without GitLab's keys, from the source: shared by the checks that find the keys missing.
// ai-gateway ai_gateway/cloud_connector/providers.py (f73a3b07d^): CompositeProvider merges its providers' keys — the
// gateway's own (LocalAuthProvider, from AIGW_SELF_SIGNED_JWT__*) and GitLab's (GitLabOidcProvider) — and caches the
// result for 86400 s, even when empty. An empty merged set raises CriticalAuthError (uncaught: a plain 500); a set holding
// only the gateway's own keys fails GitLab's tokens with 401 "Forbidden by auth provider".
import { envLookup } from './pydantic-bool.js';

/** Whether the gateway has keys of its own; undefined when the environment read is not the gateway's (no AIGW_*). */
export function gatewayHasOwnKeys(env: Readonly<Record<string, string | undefined>>): boolean | undefined {
  if (!Object.keys(env).some((k) => k.toUpperCase().startsWith('AIGW_'))) return undefined;
  return Boolean(envLookup(env, 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY')?.value && envLookup(env, 'AIGW_SELF_SIGNED_JWT__VALIDATION_KEY')?.value);
}

const NO_KEYS =
  'The gateway then answers every authenticated request HTTP 500 "Internal Server Error" (its log: CriticalAuthError "No keys founds in JWKS; are OIDC providers up?")';
const OWN_KEYS =
  'GitLab\'s tokens then fail to verify against the gateway\'s own keys alone: every request from GitLab gets 401 {"error":"Forbidden by auth provider"}';
const CACHED = 'and the gateway keeps that key set for 24 h unless it is restarted.';

/** One sentence: what the gateway answers when it holds none of GitLab's keys, and for how long. */
export function withoutGitLabKeys(ownKeys: boolean | undefined): string {
  if (ownKeys === true) return `${OWN_KEYS}, ${CACHED}`;
  if (ownKeys === false) return `${NO_KEYS}, ${CACHED}`;
  return `${NO_KEYS} — or, when it has AIGW_SELF_SIGNED_JWT keys of its own, 401 {"error":"Forbidden by auth provider"} — ${CACHED}`;
}
