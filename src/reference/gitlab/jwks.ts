// GitLab's GET /oauth/discovery/keys: JwksController#keys (app/controllers/jwks_controller.rb + the EE override in
// ee/app/controllers/ee/jwks_controller.rb, gitlab-ee 6714c9136).
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { GitLabState } from './config.js';

/**
 * `expires_in 24.hours, public: true, must_revalidate: true, 'no-transform': true`, as Rails' expires_in renders it:
 * max-age, public, must-revalidate, then the extra options as key=value.
 */
export const JWKS_CACHE_CONTROL = 'max-age=86400, public, must-revalidate, no-transform=true';

/**
 * `{ keys: payload }`: the OpenID Connect signing key, then every Cloud Connector key (load_keys; the CI JWT key is left
 * out: the reference has none), each reduced to kty, kid, e, n plus use sig and alg RS256.
 */
export function serveJwks(state: GitLabState, res: ServerResponse): void {
  const keys = state.jwks === 'empty' ? [] : [state.oidcKey, ...state.cloudConnectorKeys.all()].map((k) => k.jwk);
  sendJson(res, 200, { keys }, { 'cache-control': JWKS_CACHE_CONTROL });
}
