// The named installations of the reference stack — one healthy, the rest each broken in one documented way.
import type { GitLabOptions } from './gitlab/config.js';
import type { ModelServerOptions } from './model-server.js';

/** How GitLab serves: plain http, or https with a generated chain of a given kind. */
export type GitLabTls =
  | 'none'
  /** Private root → leaf for 127.0.0.1/localhost. */
  | 'private-ca'
  /** A self-signed leaf (no CA at all). */
  | 'self-signed'
  /** Root → intermediate → leaf, but only the leaf is served. */
  | 'missing-intermediate'
  /** Private root → a leaf that expired yesterday. */
  | 'expired'
  /** Private root → a leaf for gitlab.example.com only. */
  | 'wrong-host';

/** Where GitLab's `ai_gateway_url` points. */
export type GatewayUrlSetting = 'gateway' | 'unset' | 'closed-port' | 'localhost-5052' | 'elsewhere';

/** The Duo Workflow Service of the gateway image (ENABLE_DUO_WORKFLOW_SERVICE=true) and how GitLab reaches it. */
export interface DuoWorkflowSetup {
  /** Whether it runs (default true); when not, GitLab's setting names a closed port. */
  running?: boolean;
  /** GitLab's duo_agent_platform_service_url: the service's host:port (default), or blank. */
  setting?: 'service' | 'unset';
  /** Whether it serves TLS (default: when the gateway does). */
  tls?: boolean;
  /** GitLab's `duo_workflow.secure` (DUO_AGENT_PLATFORM_SERVICE_SECURE; default: matches `tls`). */
  gitlabSecure?: boolean;
  /** Its environment beyond what the stack sets (undefined removes a variable, e.g. the signing key). */
  env?: Record<string, string | undefined>;
  /** An HTTP/1.1-only proxy between GitLab and the service (GitLab's setting names the proxy). */
  http1Front?: boolean;
}

/** One named installation. */
export interface Scenario {
  name: string;
  /** One line: what is broken and how it is modelled. */
  description: string;
  /** Reference GitLab options beyond what the stack wires itself (URL, token, gateway URL, TLS). */
  gitlab: Omit<GitLabOptions, 'port' | 'host' | 'adminToken' | 'aiGatewayUrl' | 'tls' | 'ca'>;
  /** GitLab's `ai_gateway_url` (default: the running gateway). */
  gitlabGatewayUrl?: GatewayUrlSetting;
  /** The gateway: whether it runs, its extra environment, the image tag it reports. */
  gateway: {
    running: boolean;
    env?: Record<string, string>;
    version?: string;
    /** The gateway's own port also answers plain http next to its https front (gateway-exposure probes it). */
    ownPortExposed?: boolean;
    /** How fast its streamed completions come (a slow model): this many chunks, this long apart (default 5, 200 ms). */
    pace?: { chunks: number; intervalMs: number };
  };
  /**
   * A reverse proxy in front of the gateway (GitLab's ai_gateway_url and duo-doctor's gateway URL name it) that gives up on
   * a gateway silent for `readTimeoutMs`, as nginx's proxy_read_timeout does.
   */
  gatewayFront?: { readTimeoutMs: number };
  /**
   * How duo-doctor is run against it: `deepSeconds` holds a streamed completion open that long (--deep --deep-seconds);
   * `exec` runs the runtime probes (--exec) in a stand-in for the gateway's container with the gateway's environment
   * (src/reference/container.ts): `container`, a network namespace of its own (needs `unshare -rn`); `emulated-arm64`, an
   * arm64 userland under qemu-user on this host's network (needs qemu-aarch64-static and the arm64 busybox preflight unpacks).
   * GitLab and the gateway then go by this host's name, which their loopback certificates do not carry: plain http only.
   */
  doctor?: { deepSeconds?: number; exec?: 'container' | 'emulated-arm64' };
  tls: GitLabTls;
  /** Whether the gateway serves https too, with a leaf from GitLab's private CA (only with tls 'private-ca'). */
  gatewayTls?: boolean;
  /** Who is given the CA bundle of an https GitLab: the gateway (SSL_CERT_FILE + REQUESTS_CA_BUNDLE), duo-doctor (caFile). */
  trust: { gateway: boolean; doctor: boolean };
  /** Which of the gateway's variables name that bundle (default both); Python requests reads only REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE). */
  gatewayCaVariables?: readonly ('SSL_CERT_FILE' | 'REQUESTS_CA_BUNDLE')[];
  /** After the gateway has cached GitLab's key set, GitLab creates and rotates to a new Cloud Connector key. */
  rotateKeyAfterGatewayCached?: boolean;
  /** Whether duo-doctor is told the gateway URL (else it must learn it from GitLab's `duoSettings`). */
  doctorKnowsGatewayUrl: boolean;
  /**
   * The self-hosted model: how its vLLM-like server is started, the endpoint GitLab lists for it (`v1`, as the docs
   * require, by default; `root`: without /v1; `localhost`: with /v1, on host localhost) and the identifier GitLab sends
   * (default: the served name).
   */
  model?: { server?: Omit<ModelServerOptions, 'host'>; endpoint?: 'v1' | 'root' | 'localhost'; identifier?: string };
  /** Runtime settings: `readonly` points duo-doctor's tmpDir at a directory it cannot write. */
  runtime?: { tmpDir: 'readonly' };
  /** The Duo Workflow Service (default: running, configured in GitLab, TLS like the gateway). */
  duoWorkflow?: DuoWorkflowSetup;
  /** An HTTP/1.1 load balancer in front of GitLab that drops WebSocket upgrade headers; duo-doctor reaches GitLab through it. */
  gitlabFront?: 'drops-upgrade';
  /**
   * Check ids that fail (or error) against this installation, sorted; measured with every check under checks/. Since
   * 17.6 GitLab's self-hosted health check has no end-to-end probe, so it passes where only the gateway's trust in
   * GitLab's tokens is broken (jwks-*, wrong-audience, clock-skew): system-exchange is what fails there.
   */
  expectedFailures: readonly string[];
  /** Check ids that warn against this installation (asserted when given). */
  expectedWarnings?: readonly string[];
  /** For a check whose reason matters, the finding ids it reports (asserted when given). */
  expectedFindings?: Readonly<Record<string, readonly string[]>>;
}

const BASE = {
  gitlab: {},
  gateway: { running: true },
  tls: 'none',
  trust: { gateway: true, doctor: true },
  doctorKnowsGatewayUrl: true,
} as const satisfies Partial<Scenario>;

const DAY_MS = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

/** Every scenario, by name, healthy first. */
/**
 * What fails when the gateway cannot verify GitLab's private CA (however that comes about): every check that has the
 * gateway, or the Duo Workflow Service beside it, talk to GitLab, and GitLab's view of the exchange.
 */
const GATEWAY_DISTRUSTS_GITLAB = [
  'agent-platform-service',
  'agent-platform-token',
  'gateway-fetches-jwks',
  'gateway-trusts-gitlab',
  'gitlab-health-check',
  'gitlab-tls',
  'jwks-reachable',
  'system-exchange',
] as const;

export const SCENARIOS = [
  {
    ...BASE,
    name: 'healthy',
    description:
      'GitLab and the gateway over https with one private CA, which the gateway (SSL_CERT_FILE, REQUESTS_CA_BUNDLE), GitLab and duo-doctor all trust; everything works.',
    tls: 'private-ca',
    gatewayTls: true,
    expectedFailures: [],
  },
  {
    ...BASE,
    name: 'no-gateway-url',
    description: "GitLab's ai_gateway_url setting is empty; duo-doctor is not told the gateway URL either.",
    gitlabGatewayUrl: 'unset',
    doctorKnowsGatewayUrl: false,
    expectedFailures: ['gateway-url', 'gitlab-health-check', 'system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'gateway-down',
    description: "The gateway is not running: its URL (GitLab's setting and duo-doctor's) is a closed loopback port.",
    gitlabGatewayUrl: 'closed-port',
    gateway: { running: false },
    expectedFailures: ['gateway-reachable', 'gitlab-health-check', 'system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'gateway-localhost-url',
    description:
      "GitLab (external URL https://gitlab.example.com, its connection_details host_name) points ai_gateway_url at http://localhost:5052, the gateway's own host.",
    gitlab: { externalUrl: 'https://gitlab.example.com' },
    gitlabGatewayUrl: 'localhost-5052',
    doctorKnowsGatewayUrl: false,
    // duo-doctor reaches this GitLab on 127.0.0.1, so it runs on GitLab's host: localhost:5052 refuses here as it does for GitLab.
    expectedFailures: ['gateway-url', 'gateway-reachable', 'gitlab-health-check', 'system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'auth-bypassed',
    description: 'The gateway runs with AIGW_AUTH__BYPASS_EXTERNAL=true: it answers anyone without a token.',
    gateway: { running: true, env: { AIGW_AUTH__BYPASS_EXTERNAL: 'true' } },
    expectedFailures: ['gateway-auth', 'gateway-env'],
  },
  {
    ...BASE,
    name: 'auth-bypassed-with-header',
    description: 'The gateway runs with AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER=yes: anyone sending "Bypass-Auth: true" skips authentication.',
    gateway: { running: true, env: { AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER: 'yes' } },
    expectedFailures: ['auth-bypass-switches', 'gateway-env'],
  },
  {
    ...BASE,
    name: 'jwt-signature-unchecked',
    description: 'The gateway runs with AIGW_AUTH__BYPASS_JWT_SIGNATURE=1: it accepts tokens whatever key signed them, forged ones included.',
    gateway: { running: true, env: { AIGW_AUTH__BYPASS_JWT_SIGNATURE: '1' } },
    expectedFailures: ['auth-bypass-switches', 'gateway-env'],
  },
  {
    ...BASE,
    name: 'ca-only-in-ssl-cert-file',
    description:
      "GitLab's private CA is named only in the gateway's SSL_CERT_FILE: Python requests, which fetches GitLab's keys, reads REQUESTS_CA_BUNDLE (else CURL_CA_BUNDLE, else certifi), never SSL_CERT_FILE.",
    tls: 'private-ca',
    gatewayTls: true,
    gatewayCaVariables: ['SSL_CERT_FILE'],
    expectedFailures: GATEWAY_DISTRUSTS_GITLAB,
  },
  {
    ...BASE,
    name: 'key-rotated-after-cache',
    description:
      "GitLab rotated its Cloud Connector key (cloud_connector:keys:create, then :rotate) after the gateway had cached its key set: the gateway refuses GitLab's new tokens until restarted.",
    rotateKeyAfterGatewayCached: true,
    expectedFailures: ['system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'gateway-without-signing-key',
    description:
      "The gateway has no AIGW_SELF_SIGNED_JWT__SIGNING_KEY: it verifies GitLab's tokens but cannot mint the user tokens direct_access hands out.",
    gateway: { running: true, env: { AIGW_SELF_SIGNED_JWT__SIGNING_KEY: '', AIGW_SELF_SIGNED_JWT__VALIDATION_KEY: '' } },
    expectedFailures: ['token-verifies'],
  },
  {
    ...BASE,
    name: 'self-signed-gitlab',
    description: 'GitLab serves https with a self-signed certificate that neither the gateway nor duo-doctor trusts.',
    tls: 'self-signed',
    trust: { gateway: false, doctor: false },
    expectedFailures: ['gateway-fetches-jwks', 'gateway-trusts-gitlab', 'gitlab-reachable', 'gitlab-tls', 'jwks-reachable'],
  },
  {
    ...BASE,
    name: 'private-ca-no-bundle',
    description: "GitLab's certificate comes from a private CA; duo-doctor has the CA file but the gateway has no SSL_CERT_FILE.",
    tls: 'private-ca',
    trust: { gateway: false, doctor: true },
    expectedFailures: GATEWAY_DISTRUSTS_GITLAB,
  },
  {
    ...BASE,
    name: 'missing-intermediate',
    description: 'GitLab serves its leaf without the intermediate CA that signed it; the bundle holds only the root.',
    tls: 'missing-intermediate',
    expectedFailures: ['gateway-fetches-jwks', 'gateway-trusts-gitlab', 'gitlab-reachable', 'gitlab-tls', 'jwks-reachable'],
  },
  {
    ...BASE,
    name: 'expired-gitlab-cert',
    description: "GitLab's certificate (from a trusted private CA) expired yesterday.",
    tls: 'expired',
    expectedFailures: ['gateway-fetches-jwks', 'gateway-trusts-gitlab', 'gitlab-reachable', 'gitlab-tls', 'jwks-reachable'],
  },
  {
    ...BASE,
    name: 'wrong-host-cert',
    description: "GitLab's certificate (from a trusted private CA) names gitlab.example.com, not the address it is reached at.",
    tls: 'wrong-host',
    expectedFailures: ['gateway-fetches-jwks', 'gateway-trusts-gitlab', 'gitlab-reachable', 'gitlab-tls', 'jwks-reachable'],
  },
  {
    ...BASE,
    name: 'expired-license',
    description: "GitLab's license expired ten days ago, so Code Suggestions (and the completion round trip) are refused.",
    gitlab: { license: { plan: 'ultimate', startsAt: daysFromNow(-375), expiresAt: daysFromNow(-10), codeSuggestions: true } },
    expectedFailures: ['gitlab-health-check', 'license', 'system-exchange'],
  },
  {
    ...BASE,
    name: 'no-code-suggestions',
    description: 'The license is valid but does not include Code Suggestions (no Duo add-on).',
    gitlab: { license: { plan: 'premium', startsAt: daysFromNow(-30), expiresAt: daysFromNow(335), codeSuggestions: false } },
    expectedFailures: ['gitlab-health-check', 'license', 'system-exchange'],
  },
  {
    ...BASE,
    name: 'jwks-unreachable',
    description: "GitLab's OIDC discovery advertises a jwks_uri nothing answers, so the gateway cannot load GitLab's keys.",
    gitlab: { jwks: 'unreachable' },
    expectedFailures: [
      'agent-platform-service',
      'agent-platform-token',
      'gateway-fetches-jwks',
      'gitlab-health-check',
      'jwks-reachable',
      'system-exchange',
    ],
  },
  {
    ...BASE,
    name: 'jwks-empty',
    description: 'GitLab publishes an empty key set; the gateway caches it for 24 h and rejects every token.',
    gitlab: { jwks: 'empty' },
    expectedFailures: [
      'agent-platform-service',
      'agent-platform-token',
      'gateway-fetches-jwks',
      'gitlab-health-check',
      'jwks-valid',
      'system-exchange',
    ],
  },
  {
    ...BASE,
    name: 'wrong-audience',
    description: "GitLab signs gateway tokens for the audience 'gitlab-ai-gateway-staging' instead of 'gitlab-ai-gateway'.",
    gitlab: { audience: 'gitlab-ai-gateway-staging' },
    expectedFailures: ['system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'clock-skew',
    description: "GitLab's clock runs 10 minutes ahead: its tokens are not yet valid (nbf in the future) for the gateway.",
    gitlab: { clockSkewSeconds: 600 },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gitlab-health-check', 'system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'version-mismatch',
    description: 'The gateway runs image self-hosted-v19.3.2-ee while GitLab is 19.4.1-ee.',
    gateway: { running: true, version: 'self-hosted-v19.3.2-ee' },
    expectedFailures: ['version-match'],
  },
  {
    ...BASE,
    name: 'gateway-url-mismatch',
    description:
      "GitLab's ai_gateway_url names an old gateway address nothing answers; duo-doctor is pointed (--gateway-url) at the running gateway GitLab does not use.",
    gitlabGatewayUrl: 'elsewhere',
    expectedFailures: ['gitlab-health-check', 'system-exchange', 'token-verifies'],
    expectedWarnings: ['gateway-url'],
  },
  {
    ...BASE,
    name: 'url-blocked',
    description:
      "GitLab's outbound allowlist is empty and local requests are not allowed, so its URL blocker refuses the gateway on 127.0.0.1 (host_probe).",
    gitlab: { outboundLocalRequestsAllowlist: [] },
    expectedFailures: ['gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'health-check-false-alarm',
    description:
      "GitLab 17.5 (whose self-hosted health check ends with the end-to-end probe): that probe's test completion gets a 401 from the gateway while completions through GitLab work — GitLab's known false alarm (gitlab-org/gitlab#517097, #509801).",
    gitlab: { version: '17.5.2-ee', endToEndProbeRefused: true },
    gateway: { running: true, version: 'self-hosted-v17.5.2-ee' },
    // A gateway of GitLab 17.5's day predates the Host-header fix (see gateway-exposed-vulnerable), as it would in the field.
    expectedFailures: ['host-header-bypass'],
    expectedWarnings: ['gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'models-unassigned',
    description: 'A self-hosted model is configured, but no GitLab Duo feature is assigned to it (no feature settings).',
    gitlab: { featureSettings: [] },
    expectedFailures: [],
    expectedWarnings: ['feature-settings'],
  },
  {
    ...BASE,
    name: 'model-endpoint-without-v1',
    description:
      "The self-hosted model's endpoint is the vLLM server's root, without /v1: the gateway asks <endpoint>/chat/completions and vLLM answers 404 (GitLab's rake task adds /v1 itself and sees nothing wrong).",
    model: { endpoint: 'root' },
    expectedFailures: ['model-endpoints'],
  },
  {
    ...BASE,
    name: 'model-name-not-served',
    description:
      "GitLab's model identifier is custom_openai/codestral, but vLLM serves the model as codestral-22b (--served-model-name): every request answers 404 NotFoundError.",
    model: { identifier: 'custom_openai/codestral' },
    expectedFailures: ['model-serving'],
  },
  {
    ...BASE,
    name: 'model-without-chat-template',
    description: 'vLLM serves a model whose tokenizer has no chat template and no --chat-template was given: every chat completion answers 400.',
    model: { server: { chatTemplate: false } },
    expectedFailures: ['model-serving'],
  },
  {
    ...BASE,
    name: 'model-tools-off',
    description:
      'vLLM was started without --enable-auto-tool-choice --tool-call-parser: tool_choice "auto" (agentic Chat, the Duo Agent Platform) answers 400.',
    model: { server: { autoToolChoice: false } },
    expectedFailures: [],
    expectedWarnings: ['model-serving'],
  },
  {
    ...BASE,
    name: 'model-context-short',
    description: 'vLLM runs with --max-model-len 8192 while the gateway budgets Codestral prompts up to 128000 tokens: long prompts answer 400.',
    model: { server: { maxModelLen: 8192 } },
    expectedFailures: [],
    expectedWarnings: ['model-serving'],
  },
  {
    ...BASE,
    name: 'bedrock-temporary-credentials',
    description:
      'The self-hosted model is Llama 3.3 on Amazon Bedrock under its bare model id (bedrock/meta.llama3-3-70b-instruct-v1:0, offered only through inference profiles), ' +
      'and the gateway holds temporary STS credentials (an ASIA... key and AWS_SESSION_TOKEN), which the AI gateway does not support.',
    model: { identifier: 'bedrock/meta.llama3-3-70b-instruct-v1:0' },
    gateway: {
      running: true,
      env: {
        AWS_ACCESS_KEY_ID: 'ASIAREFERENCEEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'reference-secret-not-a-real-key',
        AWS_SESSION_TOKEN: 'reference-session-token',
        AWS_REGION_NAME: 'us-east-1',
      },
    },
    expectedFailures: ['bedrock-models'],
  },
  {
    ...BASE,
    name: 'gateway-metrics-port-clash',
    description:
      "The gateway's metrics moved to 8083 (the troubleshooting page's fix for --network host) while the Duo Workflow Service beside it exports its " +
      'metrics on 8083 too (the install guide\'s Prometheus setup): the second server to bind fails "Address already in use" (the reference models the settings, not the crash).',
    gateway: {
      running: true,
      env: {
        AIGW_FASTAPI__API_PORT: '5052',
        AIGW_FASTAPI__METRICS_PORT: '8083',
        ENABLE_DUO_WORKFLOW_SERVICE: 'true',
        PROMETHEUS_METRICS__ADDR: '0.0.0.0',
        PROMETHEUS_METRICS__PORT: '8083',
      },
    },
    expectedFailures: ['gateway-container'],
  },
  {
    ...BASE,
    name: 'gateway-gitlab-url-unset',
    description:
      "The gateway runs without AIGW_GITLAB_URL: it falls back to https://gitlab.com (ai_gateway/config.py), fetches GitLab.com's keys and refuses every token this GitLab signs (the reference stands in a foreign key; nothing leaves the machine).",
    gateway: { running: true, env: { AIGW_GITLAB_URL: '', AIGW_GITLAB_API_URL: '' } },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gateway-env', 'gitlab-health-check', 'system-exchange', 'token-verifies'],
  },
  {
    ...BASE,
    name: 'gateway-empty-portal-url',
    description:
      'The gateway runs with AIGW_CUSTOMER_PORTAL_URL="" (as a Helm chart may ship it): pydantic-settings takes "" over the default, and OIDC discovery for CustomersDot fails "No scheme supplied".',
    gateway: { running: true, env: { AIGW_CUSTOMER_PORTAL_URL: '' } },
    expectedFailures: ['gateway-empty-variables'],
  },
  {
    ...BASE,
    name: 'duo-off-instance',
    description:
      "GitLab Duo is turned off for the instance (duo_features_enabled false): Duo Chat answers M3002 (the reference models the setting, not Chat's answer).",
    gitlab: { applicationSettings: { duoFeaturesEnabled: false } },
    expectedFailures: ['duo-instance-settings'],
  },
  {
    ...BASE,
    name: 'duo-off-group',
    description:
      'GitLab Duo is on for the instance but "Always off" for the group research (duo_features_enabled false, locked) and its subgroup research/ml: their users get M3002 (the reference models the settings, not Chat\'s answer).',
    gitlab: {
      groups: [
        { path: 'duo-users' },
        { path: 'research', duoFeaturesEnabled: false, lockDuoFeaturesEnabled: true },
        { path: 'research/ml', parent: 'research' },
      ],
    },
    expectedFailures: [],
    expectedWarnings: ['duo-instance-settings'],
  },
  {
    ...BASE,
    name: 'silent-mode',
    description: 'Silent Mode is on: GitLab blocks outbound POSTs to the gateway (the reference models the setting, not the blocking).',
    gitlab: { applicationSettings: { silentModeEnabled: true } },
    expectedFailures: ['duo-instance-settings'],
  },
  {
    ...BASE,
    name: 'readonly-tmp',
    description:
      "tmpDir cannot be written: a mode-0555 directory, or for root (whom modes do not stop) sysfs's /sys/kernel, which refuses new files to everyone.",
    runtime: { tmpDir: 'readonly' },
    expectedFailures: ['tmp-writable'],
  },
  {
    ...BASE,
    name: 'gateway-exposed-vulnerable',
    description:
      "GitLab 18.6.0-ee with gateway self-hosted-v18.6.0-ee (before the Host-header fix, CVE-2026-1868 and CVE-2026-1724): a crafted Host gets past the gateway's auth through its https URL, and its own port answers plain http beside it.",
    tls: 'private-ca',
    gatewayTls: true,
    gitlab: { version: '18.6.0-ee' },
    gateway: {
      running: true,
      version: 'self-hosted-v18.6.0-ee',
      ownPortExposed: true,
      // As the self-hosted image sets them (docker/self_hosted/Dockerfile).
      env: { AIGW_FASTAPI__DOCS_URL: '/docs', AIGW_FASTAPI__OPENAPI_URL: '/openapi.json' },
    },
    expectedFailures: ['host-header-bypass', 'known-vulnerabilities'],
  },
  {
    ...BASE,
    name: 'workflow-service-down',
    description: "The Duo Workflow Service is not running: GitLab's duo_agent_platform_service_url names a closed loopback port.",
    duoWorkflow: { running: false },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'workflow-plain-expected-tls',
    description:
      'The Duo Workflow Service serves plain gRPC while GitLab talks TLS to it (duo_workflow.secure, the default): SSL WRONG_VERSION_NUMBER.',
    tls: 'private-ca',
    gatewayTls: true,
    duoWorkflow: { tls: false, gitlabSecure: true },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'workflow-http1-proxy',
    description: 'GitLab reaches the Duo Workflow Service through an HTTP/1.1-only proxy, which cannot carry gRPC (HTTP/2).',
    duoWorkflow: { http1Front: true },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'workflow-token-refused',
    description:
      "The Duo Workflow Service fetches signing keys from the wrong GitLab (DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL), so it refuses GitLab's tokens.",
    duoWorkflow: { env: { DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL: 'http://127.0.0.1:9' } },
    expectedFailures: ['agent-platform-service', 'agent-platform-token', 'gitlab-health-check'],
  },
  {
    ...BASE,
    name: 'workflow-no-signing-key',
    description: 'The gateway container lacks DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: the Duo Workflow Service cannot sign workflow tokens.',
    duoWorkflow: { env: { DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: undefined } },
    expectedFailures: ['agent-platform-token'],
  },
  {
    ...BASE,
    name: 'workflow-url-unset',
    description: "GitLab's duo_agent_platform_service_url is blank: the Duo Agent Platform checks skip with the rake task's warning.",
    duoWorkflow: { setting: 'unset' },
    expectedFailures: [],
  },
  {
    ...BASE,
    name: 'websocket-upgrade-dropped',
    description:
      "duo-doctor reaches GitLab through an HTTP/1.1 load balancer that drops the WebSocket Upgrade headers — of the agent's socket, while gRPC to the Duo Workflow Service works (gitlab-org/gitlab#604755), and of Duo Chat's /-/cable (Workhorse's 400 \"websocket upgrade required\").",
    gitlabFront: 'drops-upgrade',
    expectedFailures: ['proxy-upgrade'],
  },
  // The next two time a long completion (--deep): seconds stand for minutes (GitLab takes 60 to 600 s, nginx waits 60 s by
  // default), so that each runs in a few seconds.
  {
    ...BASE,
    name: 'gitlab-gives-up-first',
    description:
      'A slow model: a long streamed completion takes 1.5 s through the gateway (4 chunks 500 ms apart) while GitLab gives up on its requests to the gateway after 1 s ' +
      '(aiGatewayTimeoutSeconds, scaled down from its 60 s default): long Duo Chat answers end in A1000. duo-doctor runs with --deep --deep-seconds 3.',
    gitlab: { aiGatewayTimeoutSeconds: 1 },
    gateway: { running: true, pace: { chunks: 4, intervalMs: 500 } },
    doctor: { deepSeconds: 3 },
    expectedFailures: ['proxy-timeouts'],
    expectedFindings: { 'proxy-timeouts': ['endedUncut', 'gitlabGivesUp'] },
  },
  {
    ...BASE,
    name: 'proxy-gives-up-first',
    description:
      "A proxy in front of the gateway gives up after 1 s of silence (nginx's proxy_read_timeout, scaled down from its 60 s default) while GitLab waits 3 s " +
      '(aiGatewayTimeoutSeconds raised, the proxy left alone) and a slow model streams 1.5 s apart: the proxy cuts long answers first. duo-doctor runs with --deep --deep-seconds 3.',
    gitlab: { aiGatewayTimeoutSeconds: 3 },
    gateway: { running: true, pace: { chunks: 3, intervalMs: 1500 } },
    gatewayFront: { readTimeoutMs: 1000 },
    doctor: { deepSeconds: 3 },
    expectedFailures: ['proxy-streaming', 'proxy-timeouts'],
    expectedFindings: { 'proxy-timeouts': ['streamCut', 'proxyBeforeGitlab'] },
  },
  {
    ...BASE,
    name: 'model-localhost-in-container',
    description:
      "The model server runs on the gateway's host and GitLab lists it as http://localhost:<port>/v1, but the gateway runs in a container, where localhost " +
      'is the container itself: the gateway cannot reach the model. duo-doctor runs with --exec into a stand-in container (a network namespace of its own, ' +
      "the gateway's environment, GitLab reachable as through the host's network; needs unshare -rn).",
    model: { endpoint: 'localhost' },
    doctor: { exec: 'container' },
    expectedFailures: ['model-endpoints'],
    expectedFindings: { 'model-endpoints': ['loopbackInContainer'] },
  },
  {
    ...BASE,
    name: 'image-emulated',
    description:
      'The gateway runs an arm64 image on this x86 host (docker run --platform linux/arm64): qemu-user emulates it, slowly and, in the field, crashing. ' +
      "duo-doctor runs with --exec into a stand-in container whose userland is an arm64 busybox under qemu-aarch64-static (the gateway's environment, --network host; needs qemu-user-static and the arm64 busybox npm test's preflight unpacks).",
    doctor: { exec: 'emulated-arm64' },
    expectedFailures: [],
    expectedWarnings: ['gateway-container'],
    expectedFindings: { 'gateway-container': ['emulated'] },
  },
] as const satisfies readonly Scenario[];

/** A scenario's name. */
export type ScenarioName = (typeof SCENARIOS)[number]['name'];

/** Looks a scenario up by name; undefined when there is none. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** `demo --list-scenarios`: one line per scenario, name first. */
export function listScenarios(): string[] {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `${s.name.padEnd(width)}  ${s.description}`);
}

export { startStack, type Stack, type StackOptions } from './stack.js';
