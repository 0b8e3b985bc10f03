// proxy-upgrade: GitLab's WebSockets upgrade through whatever sits in front of GitLab — the agent's
// (/api/v4/ai/duo_workflows/ws), checked as GitLab's rake task does it (flyisland/gitlab-ee 29c2459
// ee/lib/gitlab/duo/administration/agent_platform_websocket_check.rb and verify_self_hosted_setup.rb's
// report_websocket_result at caa4042: 101 ok, 401/403 rejected, anything else not upgraded), and Duo Chat's ActionCable
// (/-/cable), opened as the browser's ActionCable client opens it (subprotocols actioncable-v1-json, actioncable-unsupported).
import { defineCheck, type Messages } from '../src/check.js';
import { gitlabListTools, serviceUrlSetting } from '../src/probes/duo-workflow/gitlab.js';
import { gitlabEndpoint } from '../src/probes/gitlab-api.js';
import { proxySignature } from '../src/probes/proxy-signature.js';
import { clientTrust } from '../src/probes/trust.js';
import { websocketHandshake, type WebSocketExchange } from '../src/probes/websocket.js';
import { redactUrl } from '../src/redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../src/version.js';

/** The rake task's WEBSOCKET_PATH (relative to GitLab's URL). */
export const AGENT_WS_PATH = 'api/v4/ai/duo_workflows/ws';

/** Where Rails mounts ActionCable (config/initializers/action_cable.rb), relative to GitLab's URL. */
export const CABLE_PATH = '-/cable';

/** The subprotocols ActionCable's browser client offers (ActionCable::INTERNAL[:protocols]); the server picks the first. */
const CABLE_PROTOCOLS = 'actioncable-v1-json, actioncable-unsupported';

/** The answer, secret-free (no Set-Cookie, no body beyond an excerpt). */
export type UpgradeAnswer =
  | {
      ok: true;
      status: number;
      reason: string;
      acceptValid?: boolean;
      /** Sec-WebSocket-Protocol of a 101. */
      protocol?: string;
      server?: string;
      proxy?: string;
      bodyExcerpt: string;
      elapsedMs: number;
    }
  | { ok: false; kind: string; message: string; elapsedMs: number };

export interface Facts {
  url: string;
  answer: UpgradeAnswer;
  /** Whether GitLab's own ListTools call to its self-hosted Duo Workflow Service succeeds: gRPC working while the upgrade does not is gitlab-org/gitlab#604755. */
  grpcPassed: boolean;
  /** The answer of /-/cable (absent in recordings made before it was asked). */
  cable?: UpgradeAnswer;
}

/** The rake task's NGINX example, line for line. */
const nginxExample = (path: string) =>
  [
    `NGINX example for ${path}:`,
    '  proxy_http_version 1.1;',
    '  proxy_set_header Upgrade $http_upgrade;',
    '  proxy_set_header Connection "upgrade";',
  ].join('\n');
const NGINX_EXAMPLE = nginxExample(AGENT_WS_PATH);
const CABLE_NGINX = nginxExample(`/${CABLE_PATH}`);

export const messages = {
  upgraded: {
    status: 'pass',
    text: (d: { through?: string }) => `WebSocket upgrade completed (HTTP 101)${d.through ? ` through ${d.through}` : ''}`,
  },
  rejected: {
    status: 'fail',
    text: (d: { status: number }) => `WebSocket endpoint rejected the connection (HTTP ${d.status})`,
    fix:
      "The request reached GitLab but was not authorized. Check the user's GitLab Duo seat/license, or whether a proxy in front of GitLab strips authentication cookies or headers. " +
      '(A 403 with the body "Forbidden" is Workhorse\'s origin check: the proxy must pass the Host header unchanged.)',
  },
  notUpgraded: {
    status: 'fail',
    text: (d: { status: number; grpcPassed: boolean }) =>
      `WebSocket upgrade did not complete (HTTP ${d.status} instead of 101)${d.grpcPassed ? ' — while the Duo Workflow Service answers gRPC: agent sessions fail only at this load balancer (gitlab-org/gitlab#604755)' : ''}`,
    fix: `A load balancer or reverse proxy in front of GitLab is likely not forwarding the WebSocket 'Upgrade' and 'Connection' headers.\n${NGINX_EXAMPLE}`,
  },
  badAccept: {
    status: 'fail',
    text: () => "GitLab's agent WebSocket answered 101 with a wrong Sec-WebSocket-Accept: something in front of GitLab rewrites the handshake",
    fix: `Let the proxy in front of GitLab pass the Sec-WebSocket-* headers through unchanged.\n${NGINX_EXAMPLE}`,
  },
  unreachable: {
    status: 'fail',
    text: (d: { message: string }) => `Could not reach the WebSocket endpoint: ${d.message}`,
    fix: (d: { gitlabUrl: string }) => `Verify this instance can reach its own external URL (${d.gitlabUrl}).`,
  },
  untrusted: {
    status: 'fail',
    text: (d: { message: string }) => `Could not reach the WebSocket endpoint: GitLab's certificate is not trusted (${d.message})`,
    fix:
      "The rake task retries without verifying the certificate; duo-doctor does not, because the handshake carries the administrator's token. " +
      'Give duo-doctor the CA with --ca-file, or serve GitLab with a certificate its clients trust (see gitlab-tls).',
  },
  cableUpgraded: {
    status: 'pass',
    text: (d: { protocol: string }) => `Duo Chat's WebSocket (/${CABLE_PATH}) upgraded too (HTTP 101, ${d.protocol})`,
  },
  cableNotUpgraded: {
    status: 'fail',
    text: (d: { status: number }) =>
      `Duo Chat's WebSocket (/${CABLE_PATH}) did not upgrade (HTTP ${d.status} instead of 101): Chat's answers never stream to the browser`,
    fix: `The proxy in front of GitLab must forward the WebSocket 'Upgrade' and 'Connection' headers for /${CABLE_PATH} too.\n${CABLE_NGINX}`,
  },
  cableOriginRefused: {
    status: 'fail',
    text: () =>
      `Duo Chat's WebSocket (/${CABLE_PATH}) was refused with ActionCable's 404 "Page not found": the Origin is not <scheme>://<Host> as GitLab saw them`,
    fix:
      "ActionCable accepts a browser's WebSocket only when its Origin equals the scheme and Host GitLab receives: the proxy in front of GitLab must pass " +
      'the Host header unchanged (nginx `proxy_set_header Host $http_host;`) and the scheme (`proxy_set_header X-Forwarded-Proto $scheme;`). ' +
      "Origins GitLab is reached from under another name go in gitlab_rails['action_cable_allowed_origins'] (gitlab.rb), then `sudo gitlab-ctl reconfigure`.",
  },
  cableRewritten: {
    status: 'fail',
    text: () =>
      `Duo Chat's WebSocket (/${CABLE_PATH}) answered 101 without ActionCable's handshake (no actioncable-v1-json subprotocol, or a wrong Sec-WebSocket-Accept): something in front of GitLab rewrites it`,
    fix: `Let the proxy in front of GitLab pass the Sec-WebSocket-* headers through unchanged for /${CABLE_PATH}.\n${CABLE_NGINX}`,
  },
  cableUnreachable: {
    status: 'fail',
    text: (d: { message: string }) => `Could not open Duo Chat's WebSocket (/${CABLE_PATH}): ${d.message}`,
    fix: `Check the route to /${CABLE_PATH} in the proxy in front of GitLab.\n${CABLE_NGINX}`,
  },
} satisfies Messages;

/** The finding for /-/cable: ActionCable answers 101 with its subprotocol; its origin check refuses with 404 "Page not found". */
function cableFinding(cable: UpgradeAnswer, agentReached: boolean) {
  if (!cable.ok) return agentReached ? [{ id: 'cableUnreachable' as const, data: { message: cable.message } }] : [];
  if (cable.status === 101) {
    return cable.acceptValid && cable.protocol === 'actioncable-v1-json'
      ? [{ id: 'cableUpgraded' as const, data: { protocol: cable.protocol } }]
      : [{ id: 'cableRewritten' as const }];
  }
  if (cable.status === 404 && cable.bodyExcerpt === 'Page not found') return [{ id: 'cableOriginRefused' as const }];
  return [{ id: 'cableNotUpgraded' as const, data: { status: cable.status } }];
}

/** Judges the handshake's answer as the rake task classifies it. */
export function judge(facts: Facts) {
  const cable = facts.cable ? cableFinding(facts.cable, facts.answer.ok) : [];
  const cableDetails = facts.cable?.ok ? [`/${CABLE_PATH}: HTTP ${facts.cable.status} ${facts.cable.reason}`.trim()] : [];
  const a = facts.answer;
  if (!a.ok && a.kind === 'tls')
    return { findings: [{ id: 'untrusted' as const, data: { message: a.message } }, ...cable], details: cableDetails, evidence: { failure: a.kind } };
  if (!a.ok)
    return {
      findings: [{ id: 'unreachable' as const, data: { message: a.message, gitlabUrl: new URL(facts.url).origin } }, ...cable],
      details: cableDetails,
      evidence: { failure: a.kind },
    };
  const evidence = { httpStatus: a.status, responseMs: a.elapsedMs, ...(a.proxy ? { proxy: a.proxy } : {}) };
  const details = [
    `Answer: HTTP ${a.status} ${a.reason}`.trim(),
    ...(a.server ? [`Server: ${a.server}`] : []),
    ...(a.bodyExcerpt ? [`Body: ${a.bodyExcerpt}`] : []),
    ...cableDetails,
  ];
  if (a.status === 101) {
    const lead = a.acceptValid ? { id: 'upgraded' as const, data: { ...(a.proxy ? { through: a.proxy } : {}) } } : { id: 'badAccept' as const };
    return { findings: [lead, ...cable], details, evidence };
  }
  if (a.status === 401 || a.status === 403)
    return { findings: [{ id: 'rejected' as const, data: { status: a.status } }, ...cable], details, evidence };
  return { findings: [{ id: 'notUpgraded' as const, data: { status: a.status, grpcPassed: facts.grpcPassed } }, ...cable], details, evidence };
}

/** The answer as facts: status, accept check, subprotocol, server and proxy, and a flattened body excerpt. */
export function answerFacts(exchange: WebSocketExchange): UpgradeAnswer {
  if (!exchange.ok) return { ok: false, kind: exchange.failure.kind, message: exchange.failure.message, elapsedMs: exchange.elapsedMs };
  const a = exchange.answer;
  const signature = proxySignature(a.headers);
  return {
    ok: true,
    status: a.status,
    reason: a.reason,
    ...(a.acceptValid !== undefined ? { acceptValid: a.acceptValid } : {}),
    ...(a.status === 101 && a.headers['sec-websocket-protocol'] ? { protocol: a.headers['sec-websocket-protocol'] } : {}),
    ...(a.headers.server ? { server: a.headers.server } : {}),
    ...(signature.proxy ? { proxy: signature.proxy } : {}),
    bodyExcerpt: a.body.replace(/\s+/g, ' ').trim().slice(0, 200),
    elapsedMs: a.elapsedMs,
  };
}

export default defineCheck({
  id: 'proxy-upgrade',
  title: "GitLab's WebSockets (the agent's, Duo Chat's /-/cable) upgrade through whatever sits in front of GitLab",
  category: 'agent-platform',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `Sends the rake task's opening handshake to GitLab's ${AGENT_WS_PATH} (GET, Upgrade: websocket, Origin: GitLab's URL, Authorization: Bearer <the administrator's token>) ` +
      "and reads the status line. On https the certificate must verify: unlike the rake task, duo-doctor does not retry unverified with the administrator's token. The token is never printed. " +
      `Then opens Duo Chat's ActionCable socket /${CABLE_PATH} as a browser does (Origin: GitLab's URL, Sec-WebSocket-Protocol: ${CABLE_PROTOCOLS}; no token: ActionCable lets an anonymous connection in).`,
    failsWhen:
      '401/403 (rejected), any other status (not upgraded: a load balancer or proxy in front of GitLab drops the Upgrade and Connection headers — even while the Duo Workflow Service answers gRPC, gitlab-org/gitlab#604755), or no answer. ' +
      `For /${CABLE_PATH}: anything but 101 with actioncable-v1-json (Workhorse's 400 "websocket upgrade required" when the Upgrade was dropped; ActionCable's 404 "Page not found" when the Origin does not match the scheme and Host GitLab sees).`,
    fix: `In the proxy in front of GitLab: ${NGINX_EXAMPLE.replace(/\n/g, ' ')}`,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const gitlabUrl = ctx.settings.gitlabUrl as string;
    const url = gitlabEndpoint(gitlabUrl, AGENT_WS_PATH);
    const { ca } = await clientTrust(ctx);
    // Verified TLS only: the rake task's unverified retry would hand the administrator's token to whoever answers.
    const exchange = await websocketHandshake({
      url,
      headers: {
        Origin: new URL(gitlabUrl).origin,
        Authorization: `Bearer ${ctx.settings.gitlabToken ?? ''}`,
        'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}`,
      },
      ca,
      timeoutMs: ctx.settings.timeoutMs,
      signal: ctx.signal,
    });
    // No token for /-/cable: ActionCable lets an anonymous connection in, and the socket is the browser's, not the API's.
    const cable = await websocketHandshake({
      url: gitlabEndpoint(gitlabUrl, CABLE_PATH),
      headers: { Origin: new URL(gitlabUrl).origin, 'Sec-WebSocket-Protocol': CABLE_PROTOCOLS, 'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}` },
      ca,
      timeoutMs: ctx.settings.timeoutMs,
      signal: ctx.signal,
    });
    const setting = await serviceUrlSetting(ctx);
    const grpcPassed = setting.ok && setting.value !== null && (await gitlabListTools(ctx)).ok;
    return { url: redactUrl(url), answer: answerFacts(exchange), grpcPassed, cable: answerFacts(cable) };
  },
  // Stryker restore all
  judge,
});
