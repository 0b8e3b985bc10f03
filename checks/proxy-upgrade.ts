// proxy-upgrade: a WebSocket upgrade to the gateway's agent route comes back 101 through whatever is in front of the gateway.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { redactUrl } from '../src/redact.js';
import { DIRECT_ACCESS_PATH, directAccessHeaders } from '../src/probes/direct-access.js';
import { gatewayEndpoint } from '../src/probes/gateway.js';
import { resolveGatewayUrl } from '../src/probes/gitlab-api.js';
import { proxyFor } from '../src/probes/proxy-env.js';
import { proxySignature } from '../src/probes/proxy-signature.js';
import { clientTrust } from '../src/probes/trust.js';
import { websocketHandshake, type WebSocketExchange } from '../src/probes/websocket.js';
import { TOOL_NAME, TOOL_VERSION } from '../src/version.js';

/**
 * The gateway's Duo Agent Platform WebSocket route, as the reference gateway serves it. (GitLab's own agent socket is
 * `/api/v4/ai/duo_workflows/ws` on GitLab, which Workhorse relays to the Duo Workflow Service.)
 */
export const GATEWAY_WS_PATH = '/v1/agent/ws';

/** The fix for a proxy that does not pass the upgrade on. */
export const UPGRADE_FIX =
  'In the nginx location that proxies the gateway add `proxy_http_version 1.1;`, `proxy_set_header Upgrade $http_upgrade;` and ' +
  '`proxy_set_header Connection "upgrade";` (the install guide\'s 443 server block has them). Without them nginx talks HTTP/1.0 to the ' +
  'gateway and drops the Upgrade header, so the upgrade arrives as a plain GET. Other proxies: allow WebSocket upgrades to the gateway.';

/** Judges the answer to the upgrade request. */
export function judgeUpgrade(url: string, exchange: WebSocketExchange): CheckOutcome {
  const where = redactUrl(url);
  if (!exchange.ok) {
    return {
      status: 'fail',
      summary: `the WebSocket upgrade to ${where} got no answer: ${exchange.failure.message}`,
      remediation: `gateway-health passed, so plain requests get through: the proxy closes upgrade requests. ${UPGRADE_FIX}`,
      evidence: { failure: exchange.failure.kind, elapsedMs: exchange.elapsedMs },
    };
  }
  const a = exchange.answer;
  const signature = proxySignature(a.headers);
  const details = [`Answer: HTTP/${a.httpVersion} ${a.status} ${a.reason}`.trim(), ...signature.clues];
  const body = a.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (body) details.push(`Body: ${body}`);
  const evidence = { httpStatus: a.status, responseMs: a.elapsedMs, ...(signature.proxy ? { proxy: signature.proxy } : {}), ...(a.acceptValid !== undefined ? { acceptValid: a.acceptValid } : {}) };
  const through = signature.proxy ? ` through ${signature.proxy}` : '';
  if (a.status === 101 && a.acceptValid) {
    return { status: 'pass', summary: `the WebSocket upgrade${through} was accepted (101 Switching Protocols)`, details, evidence };
  }
  if (a.status === 101) {
    return {
      status: 'fail',
      summary: `the upgrade${through} answered 101 with a wrong Sec-WebSocket-Accept: something rewrites the handshake`,
      details,
      remediation: `Let the proxy pass the Sec-WebSocket-* headers through unchanged. ${UPGRADE_FIX}`,
      evidence,
    };
  }
  if (a.status === 401 || a.status === 403) {
    return { status: 'skip', summary: `the upgrade was refused with HTTP ${a.status} (the token, not the proxy): see token-verifies`, details, evidence };
  }
  if (a.status === 404 && !signature.proxy) {
    return {
      status: 'warn',
      summary: `the gateway has no WebSocket route at ${GATEWAY_WS_PATH} (HTTP 404) and nothing in front of it shows itself as a proxy`,
      details,
      remediation: 'Run a gateway version with the Duo Agent Platform, or check the gateway URL\'s path prefix.',
      evidence,
    };
  }
  const proxyNote = signature.proxy
    ? `${signature.proxy} answered instead of passing the upgrade on`
    : 'whatever is in front of the gateway did not pass the upgrade on';
  return {
    status: 'fail',
    summary: `a WebSocket upgrade came back HTTP ${a.status}, not 101: ${proxyNote}`,
    details: [
      ...details,
      'The Duo Agent Platform talks to the gateway over a WebSocket; GitLab\'s own diagnostic expects HTTP 101 here.',
      ...(a.status === 404 ? ['A WebSocket route answers a plain GET (an upgrade whose Upgrade header was dropped) with 404.'] : []),
    ],
    remediation: UPGRADE_FIX,
    evidence,
  };
}

export default defineCheck({
  id: 'proxy-upgrade',
  title: 'A WebSocket upgrade through the proxy in front of the gateway gets 101',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gateway-health'],
  needs: ['gitlab', 'gateway', 'token'],
  explain: {
    checks:
      `Sends an RFC 6455 opening handshake (GET ${GATEWAY_WS_PATH}, Upgrade: websocket, with a direct-access token from POST ${DIRECT_ACCESS_PATH} ` +
      'and GitLab\'s headers) to the gateway URL and reads the status line, the Server/Via headers and Sec-WebSocket-Accept. The token is never printed.',
    failsWhen:
      'Anything but 101 with the right Sec-WebSocket-Accept: a 400/404/426/200 or a proxy\'s own answer means the proxy did not pass the upgrade on ' +
      '(nginx without proxy_http_version 1.1 and the Upgrade/Connection headers). Warns on a 404 straight from a gateway without the route; ' +
      'skips without a token or when the token is refused.',
    fix: 'nginx: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";` in the gateway\'s location.',
  },
  // Stryker disable all: run does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async run(ctx) {
    const resolved = await resolveGatewayUrl(ctx);
    if (!resolved.url) return { status: 'skip', summary: resolved.detail ?? 'no AI gateway URL' };
    const access = await directAccessHeaders(ctx);
    if (!access.ok) return { status: 'skip', summary: access.reason };
    const url = gatewayEndpoint(resolved.url, GATEWAY_WS_PATH);
    const { ca } = await clientTrust(ctx);
    const exchange = await websocketHandshake({
      url,
      headers: { ...access.headers, 'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}` },
      ca,
      timeoutMs: ctx.settings.timeoutMs,
      signal: ctx.signal,
    });
    const outcome = judgeUpgrade(url, exchange);
    const { proxy, variable } = proxyFor(url, ctx.settings.env);
    // The handshake goes straight to the gateway URL; say so when the environment would send HTTP through a forward proxy.
    if (proxy && variable) outcome.details = [...(outcome.details ?? []), `Sent directly: ${variable} (a forward proxy) is not used for the upgrade.`];
    return outcome;
  },
  // Stryker restore all
});
