// Pure helpers the Duo Agent Platform checks share: the shape of the service address, GitLab's rake-task version boundaries,
// and what a gRPC error text (as GitLab relays it, "<code>:<details>") says about its cause.

/** The address as GitLab's gRPC client would read it. */
export type AddressShape =
  | { kind: 'host-port'; host: string; port: number }
  /** `http://` or `https://` in front: gRPC takes it as part of the host name. */
  | { kind: 'scheme'; scheme: string; hostPort: string }
  /** A host without a port: gRPC then dials 443. */
  | { kind: 'no-port'; host: string }
  | { kind: 'malformed' };

/** Reads `value` as host:port. */
export function addressShape(value: string): AddressShape {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(value);
  if (scheme) return { kind: 'scheme', scheme: (scheme[1] as string).toLowerCase(), hostPort: (scheme[2] as string).replace(/\/+$/, '') };
  const hp = /^\[([0-9a-f:.]+)\]:(\d{1,5})$/i.exec(value) ?? /^([a-z0-9.-]+):(\d{1,5})$/i.exec(value);
  if (hp) {
    const port = Number(hp[2]);
    return port >= 1 && port <= 65535 ? { kind: 'host-port', host: hp[1] as string, port } : { kind: 'malformed' };
  }
  if (/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(value)) return { kind: 'no-port', host: value };
  return { kind: 'malformed' };
}

/** A GitLab version as [major, minor], if it reads as one. */
export function majorMinor(version: string | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function atLeast(version: string | undefined, min: [number, number]): boolean | undefined {
  const v = majorMinor(version);
  return v ? v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]) : undefined;
}

/**
 * Whether GitLab's rake task has the Duo Workflow Service and WebSocket steps. They are absent at 6714c9136 (18.9.0-pre) and
 * present in later sources (29c2459, caa4042) whose VERSION is not stored: 18.10 is the first release that can have them.
 * An unreadable version is treated as the newest.
 */
export function rakeHasWorkflowSteps(version: string | undefined): boolean {
  return atLeast(version, [18, 10]) ?? true;
}

/** Whether GitLab has the duo_agent_platform_service_url setting (GraphQL field, milestone 18.4). */
export function hasServiceUrlSetting(version: string | undefined): boolean {
  return atLeast(version, [18, 4]) ?? true;
}

/** What a gRPC failure text names. */
export type GrpcCause =
  'tls-to-plaintext' | 'no-listener' | 'http2' | 'unavailable' | 'unauthenticated' | 'permission' | 'signing-key' | 'timeout' | 'other';

/**
 * Classifies a gRPC error text: GitLab's "<code>:<details>" (GRPC::BadStatus#message) or grpc-js's details with its code.
 * The TLS, listener and HTTP/2 causes are read from the details whatever the code. An HTTP/1.1 hop (nginx proxy_pass
 * behind an http2 listener) ends the stream without a gRPC status (grpc-js on Node 20) or with PROTOCOL_ERROR, code 1
 * (the same grpc-js on Node 24).
 */
export function grpcCause(text: string, code?: number): GrpcCause {
  const c = code ?? Number(/^(\d+):/.exec(text)?.[1] ?? NaN);
  if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long/i.test(text)) return 'tls-to-plaintext';
  if (/RSA_JWK|from key: None|JWSError|JWKError|signing key/i.test(text)) return 'signing-key';
  if (/ECONNREFUSED|Connection refused|connect(ion)? failed/i.test(text) && c === 14) return 'no-listener';
  if (
    /Received HTTP status code|HTTP\/1\.[01]|Protocol error|unexpected content-type|NO_APPLICATION_PROTOCOL|Trying to connect an http1\.x server|without gRPC status|RST_STREAM with code 1\b/i.test(
      text,
    )
  )
    return 'http2';
  if (c === 16) return 'unauthenticated';
  if (c === 7) return 'permission';
  if (c === 4) return 'timeout';
  if (c === 14) return 'unavailable';
  return 'other';
}

/** The fix for each cause, shared by the token and the service checks. */
export const CAUSE_FIX: Record<GrpcCause, string> = {
  'tls-to-plaintext':
    'GitLab talks TLS to the Duo Workflow Service (duo_workflow.secure: DUO_AGENT_PLATFORM_SERVICE_SECURE, default true) but the service serves plain gRPC (SSL WRONG_VERSION_NUMBER). ' +
    "Either set DUO_AGENT_PLATFORM_SERVICE_SECURE=false in GitLab's environment (Linux package: gitlab_rails['env'] = { 'DUO_AGENT_PLATFORM_SERVICE_SECURE' => 'false' } in /etc/gitlab/gitlab.rb, then gitlab-ctl reconfigure), " +
    'or let the service serve TLS: DUO_WORKFLOW_TLS__ENABLED=true with DUO_WORKFLOW_TLS__CERT_FILE and DUO_WORKFLOW_TLS__KEY_FILE in the gateway container.',
  'no-listener':
    'Nothing listens at the service address. The self-hosted gateway image runs the Duo Workflow Service when ENABLE_DUO_WORKFLOW_SERVICE=true (its default) on PORT (default 50052): ' +
    'publish that port (docker run -p 50052:50052 ...) and set duo_agent_platform_service_url to the host:port GitLab reaches it at.',
  http2:
    'gRPC needs HTTP/2 end to end, and something between GitLab and the service speaks HTTP/1.1 only. In nginx: `listen <port> ssl http2;` and ' +
    '`location / { grpc_pass grpcs://<service>:50052; }` (grpc:// for a plain service) instead of proxy_pass; a cloud load balancer needs HTTP/2 or gRPC as its backend protocol, or a TCP (layer 4) pass-through.',
  unavailable:
    'GitLab could not open a gRPC channel to the service: check that duo_agent_platform_service_url names the host:port GitLab reaches the service at, and what agent-platform-service measures there.',
  unauthenticated:
    "The service verifies GitLab's tokens against GitLab's keys, fetched from DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL or else AIGW_GITLAB_URL: set it to GitLab's URL as the gateway container reaches it, " +
    "let the container trust GitLab's certificate (SSL_CERT_FILE, REQUESTS_CA_BUNDLE), pass Authorization and the X-Gitlab-* headers through any proxy unchanged, and restart the container (it caches the keys).",
  permission:
    "GitLab's token does not carry the duo_agent_platform unit primitive: the license or add-on does not include the GitLab Duo Agent Platform. Check Admin > Subscription and Admin > GitLab Duo.",
  'signing-key':
    'The service cannot sign workflow tokens: DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY is not set in the gateway container. Generate an RSA key (openssl genrsa -out duo_workflow_jwt.key 2048), ' +
    'pass its PEM as DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY (and another as DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY), then restart the container.',
  timeout: 'The service did not answer in time: check its load and logs (docker logs), and that no proxy holds the call.',
  other: "Read the service's log (docker logs of the gateway container) for the call at the time of this run.",
};
