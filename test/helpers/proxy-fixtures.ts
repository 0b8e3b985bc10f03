// A fake GitLab handing out direct-access tokens and a scripted loopback "gateway", for the proxy-* check tests.
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { DIRECT_ACCESS_PATH } from '../../src/probes/direct-access.js';
import type { Settings } from '../../src/config/settings.js';
import { makeContext, type TestContext } from './context.js';
import { startFakeGitLab, type Answer, type FakeGitLab } from './fake-gitlab.js';
import { startLoopback, type LoopbackServer } from './loopback.js';

export const ADMIN_TOKEN = 'glpat-PROXYADMIN0123456789';
/** The direct-access token the fake GitLab issues: no report may contain it. */
export const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.DIRECT-ACCESS-SECRET.sig';

/** GitLab's 201 for direct_access, with the headers IDEs forward. */
export const ISSUED: Answer = {
  status: 201,
  body: {
    base_url: 'http://aigw.example.com:5052',
    token: ACCESS_TOKEN,
    expires_at: 4102444800,
    headers: { 'X-Gitlab-Realm': 'self-managed', 'X-Gitlab-Instance-Id': 'abc' },
  },
};

/** GitLab's 403 when direct connections are turned off. */
export const DISABLED: Answer = { status: 403, body: { message: '403 Forbidden - Direct connections are disabled' } };

export interface ProxyFixture {
  gitlab: FakeGitLab;
  gateway: LoopbackServer;
  /** A context pointed at both (settings overridable). */
  context(settings?: Partial<Settings>): TestContext;
  /** Sets GitLab's direct_access answer. */
  directAccess(answer: Answer): void;
  close(): Promise<void>;
}

/** Starts the fake GitLab (answering direct_access with ISSUED) and a gateway with `handler` (and `upgrade`, if given). */
export async function startProxyFixture(handler: RequestListener, upgrade?: (req: IncomingMessage, socket: Duplex) => void): Promise<ProxyFixture> {
  const gitlab = await startFakeGitLab({ [`POST ${DIRECT_ACCESS_PATH}`]: ISSUED });
  const gateway = await startLoopback(handler);
  if (upgrade) gateway.server.on('upgrade', upgrade);
  return {
    gitlab,
    gateway,
    context: (settings = {}) => makeContext({ gitlabUrl: gitlab.url, gitlabToken: ADMIN_TOKEN, gatewayUrl: gateway.url, ...settings }),
    directAccess: (answer) => {
      gitlab.routes = { [`POST ${DIRECT_ACCESS_PATH}`]: answer };
    },
    close: async () => {
      await Promise.all([gitlab.close(), gateway.close()]);
    },
  };
}
