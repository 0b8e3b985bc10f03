// The reference Duo Workflow Service: a grpc-js server for the real contract (contract/contract.proto), serving ListTools
// and GenerateToken behind the real service's authentication, plain or TLS as the real one's DUO_WORKFLOW_TLS__* settings
// choose (flyisland/ai-gateway duo_workflow_service/server.py, 607dff814: serve(), ListTools, GenerateToken).
import { randomUUID } from 'node:crypto';
import type * as Grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { loadContract, toStruct } from '../../probes/duo-workflow/contract.js';
import { DEFAULT_GITLAB_URL, requestsCaBundle } from '../gateway/config.js';
import { fetchGitLabKeys, KeySetCache, localKeys } from '../gateway/jwks.js';
import type { TlsOptions } from '../http.js';
import { authenticateCall, DWS_SERVICE_NAME, type DwsAuth } from './auth.js';

/** Options of `startDuoWorkflowService`. */
export interface DuoWorkflowOptions {
  /** Read like the real service's environment: DUO_WORKFLOW_AUTH__ENABLED, DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL, AIGW_GITLAB_URL,
   * DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY / __VALIDATION_KEY, SSL_CERT_FILE / REQUESTS_CA_BUNDLE. */
  env: Readonly<Record<string, string | undefined>>;
  /** Serve gRPC over TLS with this chain (the real service: DUO_WORKFLOW_TLS__ENABLED with __CERT_FILE and __KEY_FILE). */
  tls?: TlsOptions;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

/** A running reference service. */
export interface RunningDuoWorkflow {
  /** `host:port`, the form GitLab's duo_agent_platform_service_url takes. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Limits from serve() (MAX_MESSAGE_SIZE 4 MiB, MAX_METADATA_SIZE 24 KiB). */
const SERVER_OPTIONS = {
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  'grpc.max_metadata_size': 24 * 1024,
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
};

/** The unit primitives GenerateToken accepts (DUO_AGENT_PLATFORM, and the legacy DUO_WORKFLOW_EXECUTE_WORKFLOW during the migration). */
const TOKEN_SCOPES = ['duo_agent_platform', 'duo_workflow_execute_workflow'];

/** Tools ListTools returns: a few of tools_registry._DEFAULT_TOOLS, in convert_to_openai_tool's shape. */
const TOOLS = ['create_plan', 'add_new_task', 'get_plan', 'set_task_status'].map((name) => ({
  type: 'function',
  function: { name, description: `The ${name.replace(/_/g, ' ')} tool`, parameters: { type: 'object', properties: {} } },
}));

/** GenerateToken's token (TokenAuthority.encode at f73a3b07d^): iss = aud = the service, sub = the global user id, one hour. */
async function signServiceToken(
  signingPem: string,
  meta: Record<string, string | undefined>,
  scopes: string[],
): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + 3600;
  const token = await new SignJWT({ gitlab_realm: meta['x-gitlab-realm'], gitlab_instance_id: meta['x-gitlab-instance-id'], scopes })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(DWS_SERVICE_NAME)
    .setAudience(DWS_SERVICE_NAME)
    .setSubject(meta['x-gitlab-global-user-id'] ?? '')
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(expiresAt)
    .sign(createPrivateKey(signingPem));
  return { token, expiresAt };
}

function metadataOf(call: Grpc.ServerUnaryCall<unknown, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.metadata.getMap())) out[k.toLowerCase()] = String(v);
  return out;
}

/** Starts the service on a free loopback port (or `port`); resolves once it listens. */
export async function startDuoWorkflowService(options: DuoWorkflowOptions): Promise<RunningDuoWorkflow> {
  const { grpc, DuoWorkflow } = await loadContract();
  const env = options.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // _init_oidc_auth_provider: DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL, else AIGW_GITLAB_URL, else gitlab.com (never contacted here).
  const gitlabUrl = env['DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL'] || env['AIGW_GITLAB_URL'] || DEFAULT_GITLAB_URL;
  const authEnabled = env['DUO_WORKFLOW_AUTH__ENABLED'] !== 'false';
  const signingPem = env['DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY'];
  // The gitlab_cloud_connector providers fetch with requests: REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, else certifi.
  const ca = requestsCaBundle(env);
  // LocalAuthProvider: both keys parse, or it contributes none (the same provider code as the gateway's).
  const ownKeys = localKeys({ signingKey: signingPem ?? '', validationKey: env['DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY'] ?? '' });
  const gitlabKeys = new KeySetCache(async () => {
    const set = await fetchGitLabKeys(gitlabUrl, ca);
    if (set.error) log(`duo-workflow-service: could not load GitLab's signing keys: ${set.error}`);
    return set;
  }, 86_400);
  if (!authEnabled) log('[WARN] Auth is disabled, all users allowed');

  /** The interceptor, then the method: an auth failure aborts with UNAUTHENTICATED and the provider's message. */
  const guarded =
    <Req, Res>(method: (call: Grpc.ServerUnaryCall<Req, Res>, auth: DwsAuth & { ok: true }) => Promise<Res>) =>
    (call: Grpc.ServerUnaryCall<Req, Res>, callback: Grpc.sendUnaryData<Res>): void => {
      const meta = metadataOf(call as Grpc.ServerUnaryCall<unknown, unknown>);
      authenticateCall(meta, { enabled: authEnabled, localKeys: ownKeys, gitlabKeys: () => gitlabKeys.get() })
        .then(async (auth) => {
          if (!auth.ok) return callback({ code: grpc.status.UNAUTHENTICATED, details: auth.message });
          try {
            callback(null, await method(call, auth));
          } catch (err) {
            const e = err as { code?: number; details?: string; message?: string };
            callback({ code: e.code ?? grpc.status.UNKNOWN, details: e.details ?? e.message ?? String(err) });
          }
        })
        .catch((err: Error) => callback({ code: grpc.status.INTERNAL, details: err.message }));
    };

  const server = new grpc.Server(SERVER_OPTIONS);
  server.addService(DuoWorkflow.service, {
    ListTools: guarded(async () => ({ tools: TOOLS.map(toStruct), eval_dataset: [] })),
    GenerateToken: guarded(async (call, auth) => {
      // user.can(DUO_AGENT_PLATFORM, disallowed_issuers=[the service]): a token the service issued itself cannot mint another.
      const scopes = auth.claims?.scopes ?? [];
      const allowed = !auth.claims || (auth.claims.iss !== DWS_SERVICE_NAME && TOKEN_SCOPES.some((s) => scopes.includes(s)));
      if (!allowed) throw { code: grpc.status.PERMISSION_DENIED, details: 'Unauthorized to generate token' };
      if (!signingPem) {
        // TokenAuthority(os.environ.get("DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY")).encode: python-jose cannot build an RSA key
        // from None; the JWSError escapes the servicer and grpc.aio answers UNKNOWN "Unexpected <class ...>: <message>".
        throw { code: grpc.status.UNKNOWN, details: "Unexpected <class 'jose.exceptions.JWSError'>: Unable to parse an RSA_JWK from key: None" };
      }
      const meta = metadataOf(call as Grpc.ServerUnaryCall<unknown, unknown>);
      const { token, expiresAt } = await signServiceToken(signingPem, meta, auth.claims ? scopes : TOKEN_SCOPES);
      return { token, expiresAt: String(expiresAt) };
    }),
  });
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(options.tls.keyPem), cert_chain: Buffer.from(options.tls.certPem) }], false)
    : grpc.ServerCredentials.createInsecure();
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`, credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  log(`duo-workflow-service: gRPC${options.tls ? ' over TLS' : ''} on ${host}:${port}`);
  let closed: Promise<void> | undefined;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still open after a second are cut, as a stopped container would.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      })),
  };
}
