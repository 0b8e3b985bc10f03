// Starts a scenario's installation on loopback: model endpoint, GitLab and gateway wired together, torn down as one.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { CertSpec, Issued } from '../pki/generate.js';
import { arm64Busybox, loopbackHostName, QEMU_AARCH64, startContainer, type ContainerKind } from './container.js';
import { startWorkflowSide } from './duo-workflow/stack.js';
import { DEFAULT_GATEWAY_VERSION } from './gateway/config.js';
import { startGateway } from './gateway/server.js';
import { startGitLab } from './gitlab/server.js';
import { selfHostedDefaults } from './gitlab/config.js';
import { closedPort, request, type TlsOptions } from './http.js';
import { pooledRsaKey } from '../pki/keys.js';
import { startHttp1Front } from './http1-front.js';
import { startModelServer, type RunningModelServer } from './model-server.js';
import type { GatewayUrlSetting, GitLabTls, Scenario } from './scenarios.js';

/** Options of `startStack`. */
export interface StackOptions {
  /** The admin token GitLab accepts (e.g. from GITLAB_TOKEN); generated when absent. */
  adminToken?: string;
  /** More administrators' tokens GitLab accepts (a fleet of targets, each with its own token). */
  otherAdminTokens?: readonly string[];
  /** Added to every response of both servers. */
  latencyMs?: number;
  /** Where the servers' log lines go (default: nowhere, so a report on stdout/stderr stays clean). */
  log?: (line: string) => void;
}

/** A running installation and the settings that point duo-doctor at it. */
export interface Stack {
  gitlabUrl: string;
  /** The gateway's URL (for `gateway-down`, the closed port GitLab is configured with). */
  gatewayUrl: string;
  adminToken: string;
  /** The CA bundle of an https GitLab, written to a temp dir removed on close. */
  caFile?: string;
  settingsOverrides: Partial<Settings>;
  /** Stops the gateway alone, as an outage would (a no-op when the scenario runs none). */
  stopGateway(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The gateway's own key pair, as its container's environment carries it: it signs the user tokens direct_access hands
 * out (user_access_token.py). From the 3072-bit pool, so it is never one of the 2048-bit keys a reference GitLab signs with.
 */
export function gatewayKeyEnv(): Record<string, string> {
  return { AIGW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(3072).privatePem, AIGW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(3072).privatePem };
}

/** Names the leaf of a loopback GitLab certificate carries. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];
const DAY_MS = 86_400_000;

/** The chain GitLab serves for a TLS kind, and the CA a client must trust for it. node-forge is loaded only here, for https scenarios. */
async function gitlabCertificates(kind: Exclude<GitLabTls, 'none'>): Promise<{ tls: TlsOptions; caPem: string; root?: Issued }> {
  const { buildChain, createSelfSignedLeaf } = await import('../pki/generate.js');
  if (kind === 'self-signed') {
    const leaf = createSelfSignedLeaf({ commonName: '127.0.0.1', altNames: LOOPBACK_NAMES });
    return { tls: { certPem: leaf.certPem, keyPem: leaf.keyPem }, caPem: leaf.certPem };
  }
  const leaf: Partial<CertSpec> = { altNames: LOOPBACK_NAMES };
  if (kind === 'expired') Object.assign(leaf, { notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
  if (kind === 'wrong-host') Object.assign(leaf, { commonName: 'gitlab.example.com', altNames: ['gitlab.example.com'] });
  const chain = buildChain({ host: '127.0.0.1', withIntermediate: kind === 'missing-intermediate', leaf });
  // A server missing its intermediate presents the leaf alone.
  const served = kind === 'missing-intermediate' ? chain.leaf.certPem : chain.chainPem;
  return { tls: { certPem: served, keyPem: chain.leaf.keyPem }, caPem: chain.root.certPem, root: chain.root };
}

/** The gateway's https certificate: a loopback leaf from GitLab's private CA. */
async function gatewayCertificate(root: Issued): Promise<TlsOptions> {
  const { issueCertificate } = await import('../pki/generate.js');
  const leaf = issueCertificate({ commonName: '127.0.0.1', altNames: LOOPBACK_NAMES }, root);
  return { certPem: leaf.certPem, keyPem: leaf.keyPem };
}

/** A directory this process cannot create files in (see the readonly-tmp scenario). */
async function unwritableDir(base: string): Promise<string> {
  if (process.getuid?.() === 0 && existsSync('/sys/kernel')) return '/sys/kernel';
  const dir = join(base, 'readonly-tmp');
  await mkdir(dir);
  await chmod(dir, 0o555);
  return dir;
}

async function gitlabGatewayUrl(setting: GatewayUrlSetting, gatewayUrl: string): Promise<string | undefined> {
  if (setting === 'unset') return undefined;
  if (setting === 'localhost-5052') return 'http://localhost:5052';
  if (setting === 'elsewhere') return `http://127.0.0.1:${await closedPort()}`;
  return gatewayUrl;
}

/** The self-hosted model GitLab lists for a scenario's model server (its endpoint with /v1 unless the scenario drops it). */
export function selfHostedModel(scenario: Pick<Scenario, 'model'> | undefined, server: RunningModelServer) {
  const kind = scenario?.model?.endpoint;
  const endpoint = kind === 'root' ? server.url : kind === 'localhost' ? server.endpoint.replace('//127.0.0.1:', '//localhost:') : server.endpoint;
  return { name: 'Codestral', model: 'codestral', endpoint, identifier: scenario?.model?.identifier ?? server.model };
}

/** Starts a scenario's servers on free 127.0.0.1 ports; `close()` stops them all and removes the temp dir. */
export async function startStack(scenario: Scenario, opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), 'duo-doctor-stack-'));
  const closers: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const certs = scenario.tls === 'none' ? undefined : await gitlabCertificates(scenario.tls);
    const caFile = certs ? join(dir, 'ca-bundle.pem') : undefined;
    if (certs && caFile) await writeFile(caFile, certs.caPem);

    const model = await startModelServer(scenario.model?.server);
    closers.push(model.close);
    // A container reaches GitLab by a name (a loopback address would be its own): GitLab and the gateway go by this host's
    // name, where that means 127.0.0.1 (GitLab in its URL, its issuer and its jwks_uri, as by its external_url).
    const gitlabHost = scenario.doctor?.exec ? await loopbackHostName() : undefined;
    const gitlab = await startGitLab({
      ...(gitlabHost ? { host: gitlabHost } : {}),
      ...selfHostedDefaults(selfHostedModel(scenario, model)),
      ...scenario.gitlab,
      ...(opts.adminToken ? { adminToken: opts.adminToken } : {}),
      ...(opts.otherAdminTokens ? { otherAdminTokens: opts.otherAdminTokens } : {}),
      ...(certs ? { tls: certs.tls } : {}),
      // GitLab trusts the gateway's https certificate through the same private CA.
      ...(certs && scenario.gatewayTls ? { ca: certs.caPem } : {}),
      latencyMs: opts.latencyMs ?? 0,
      log,
    });
    closers.push(gitlab.close);
    // Everyone (duo-doctor, the gateway, the Duo Workflow Service) reaches GitLab through the load balancer when the scenario puts one in front.
    let gitlabUrl = gitlab.url;
    if (scenario.gitlabFront) {
      const front = await startHttp1Front({ upstream: gitlab.url, ...(certs ? { ca: certs.caPem } : {}) });
      closers.push(front.close);
      gitlabUrl = front.url;
    }

    // The gateway's own file system lives in the stack's temp dir, so the demo judges it, not this machine's /tmp or /home.
    const gatewayTmp = join(dir, 'tmp');
    await mkdir(gatewayTmp);
    const defaults: Record<string, string> = {
      HF_HOME: join(dir, 'hf'),
      AIGW_GITLAB_URL: gitlabUrl,
      AIGW_GITLAB_API_URL: `${gitlabUrl}/api/v4/`,
      AIGW_CUSTOM_MODELS__ENABLED: 'true',
      ...gatewayKeyEnv(),
      ...(caFile && scenario.trust.gateway
        ? Object.fromEntries((scenario.gatewayCaVariables ?? ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE']).map((name) => [name, caFile]))
        : {}),
    };
    // A scenario unsets a variable of the defaults by giving it ''; any other variable it gives '' stays set but empty
    // (AIGW_CUSTOMER_PORTAL_URL="" as a Helm chart ships it).
    const gatewayEnv: Record<string, string> = { ...defaults, ...scenario.gateway.env };
    for (const [name, value] of Object.entries(scenario.gateway.env ?? {})) if (value === '' && name in defaults) delete gatewayEnv[name];
    let gatewayUrl: string;
    let stopGateway = async () => {};
    // The gateway's own port as gateway-exposure probes it: a second listener of the same gateway in plain http when the
    // scenario exposes it, else a closed port (so the demo never probes whatever happens to listen on 5052 here).
    let directPort: number | undefined;
    if (scenario.gateway.running) {
      const { pace } = scenario.gateway;
      const gatewayOptions = {
        env: gatewayEnv,
        latencyMs: opts.latencyMs ?? 0,
        log,
        ...(scenario.gateway.version ? { version: scenario.gateway.version } : {}),
        ...(pace ? { streamChunks: pace.chunks, streamIntervalMs: pace.intervalMs } : {}),
      };
      const gatewayTlsOptions = certs?.root && scenario.gatewayTls ? { tls: await gatewayCertificate(certs.root) } : {};
      // Published on the same host by name, as GitLab would reach a container's published port.
      const gateway = await startGateway({ ...gatewayOptions, ...gatewayTlsOptions, ...(gitlabHost ? { host: gitlabHost } : {}) });
      const ownPort = scenario.gateway.ownPortExposed ? await startGateway(gatewayOptions) : undefined;
      directPort = ownPort?.port;
      let stopped: Promise<void> | undefined;
      stopGateway = () => (stopped ??= Promise.all([gateway.close(), ownPort?.close()]).then(() => {}));
      closers.push(stopGateway);
      gatewayUrl = gateway.url;
      if (scenario.gatewayFront) {
        // GitLab and duo-doctor both reach the gateway through the proxy, as through the install guide's nginx.
        const front = await startHttp1Front({
          upstream: gateway.url,
          readTimeoutMs: scenario.gatewayFront.readTimeoutMs,
          ...(certs ? { ca: certs.caPem } : {}),
          ...gatewayTlsOptions,
        });
        closers.push(front.close);
        gatewayUrl = front.url;
      }
    } else {
      gatewayUrl = `http://127.0.0.1:${await closedPort()}`;
    }
    gitlab.setAiGatewayUrl(await gitlabGatewayUrl(scenario.gitlabGatewayUrl ?? 'gateway', gatewayUrl));
    if (scenario.rotateKeyAfterGatewayCached) {
      // Any authenticated route makes the gateway load (and cache) GitLab's key set; then GitLab rotates.
      const warm = await request({
        url: `${gatewayUrl}/v2/code/completions`,
        method: 'POST',
        headers: { authorization: 'Bearer warm-up', 'x-gitlab-authentication-type': 'oidc' },
        ...(certs ? { ca: certs.caPem } : {}),
        timeoutMs: 10_000,
      });
      warm.stream.resume();
      gitlab.rotateCloudConnectorKey();
    }

    // The image's second service (ENABLE_DUO_WORKFLOW_SERVICE=true), TLS with its own leaf when the gateway serves TLS.
    const workflow = await startWorkflowSide(scenario.duoWorkflow ?? {}, {
      gitlab,
      gatewayEnv,
      ...(certs?.root && scenario.gatewayTls ? { tls: await gatewayCertificate(certs.root) } : {}),
      ...(certs ? { caPem: certs.caPem } : {}),
      log,
    });
    closers.push(...workflow.closers);

    // duo-doctor's runtime probes run inside the gateway's container (--exec), which reaches GitLab and nothing else here.
    let exec: string | undefined;
    if (scenario.doctor?.exec) {
      const kind: ContainerKind =
        scenario.doctor.exec === 'container' ? { network: 'own', reach: [gitlabUrl] } : { network: 'host', emulator: [QEMU_AARCH64, arm64Busybox()] };
      const container = await startContainer(dir, gatewayEnv, kind);
      closers.push(container.close);
      exec = container.prefix;
    }

    const settingsOverrides: Partial<Settings> = {
      gitlabUrl,
      gitlabToken: gitlab.adminToken,
      // The environment duo-doctor reads gateway settings from: the gateway container's.
      env: gatewayEnv,
      ...(scenario.doctorKnowsGatewayUrl ? { gatewayUrl, gatewayUrlSource: 'flag' as const } : {}),
      ...(caFile && scenario.trust.doctor ? { caFile } : {}),
      ...(scenario.gateway.running ? { gatewayVersion: scenario.gateway.version ?? DEFAULT_GATEWAY_VERSION } : {}),
      tmpDir: scenario.runtime?.tmpDir === 'readonly' ? await unwritableDir(dir) : gatewayTmp,
      ...(scenario.doctor?.deepSeconds ? { deep: true, deepSeconds: scenario.doctor.deepSeconds } : {}),
      ...(exec ? { exec } : {}),
      gatewayDirectPorts: [directPort ?? (await closedPort())],
    };
    return {
      gitlabUrl,
      gatewayUrl,
      adminToken: gitlab.adminToken,
      ...(caFile ? { caFile } : {}),
      settingsOverrides,
      stopGateway,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
