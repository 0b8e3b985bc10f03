// `duo-doctor gateway` and `duo-doctor gitlab`: run one reference server in the foreground until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/errors.js';
import { startDuoWorkflowService } from './duo-workflow/server.js';
import { startGateway, type GatewayOptions } from './gateway/server.js';
import { selfHostedDefaults } from './gitlab/config.js';
import { startGitLab, type GitLabOptions } from './gitlab/server.js';
import { startModelServer } from './model-server.js';
import { findScenario, SCENARIOS } from './scenarios.js';
import { selfHostedModel } from './stack.js';

/** Waits for SIGINT, SIGTERM or `abort` (programmatic stop), then runs `close`; the handlers are removed after. */
async function untilSignal(close: () => Promise<void>, abort?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      abort?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (abort?.aborted) stop();
    else abort?.addEventListener('abort', stop);
  });
  await close();
}

/** What both serve commands share: where the listening line goes and a programmatic stop. */
interface ServeOptions {
  /** Where the listening line goes (default: stdout). */
  out?: (line: string) => void;
  /** Stops the server like a signal would (tests, embedding). */
  stop?: AbortSignal;
}

/** Options of `duo-doctor gateway`. */
export interface ServeGatewayOptions extends GatewayOptions, ServeOptions {}

/**
 * Runs the reference AI gateway (default 127.0.0.1:5052, env from this process) until a signal stops it — and, as the
 * self-hosted image's scripts/run.sh does when ENABLE_DUO_WORKFLOW_SERVICE is set, the Duo Workflow Service on PORT (default 50052).
 */
export async function serveGateway(opts: ServeGatewayOptions = {}): Promise<void> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { out: _out, stop, ...gatewayOptions } = opts;
  const env = gatewayOptions.env ?? process.env;
  const gateway = await startGateway({ port: 5052, ...gatewayOptions });
  const workflow = env['ENABLE_DUO_WORKFLOW_SERVICE']
    ? await startDuoWorkflowService({
        env,
        port: Number(env['PORT'] ?? 50052),
        ...(gatewayOptions.host ? { host: gatewayOptions.host } : {}),
        ...(gatewayOptions.log ? { log: gatewayOptions.log } : {}),
      }).catch(async (error: unknown) => {
        await gateway.close();
        throw error;
      })
    : undefined;
  out(`reference AI gateway listening on ${gateway.url}`);
  if (workflow) out(`reference Duo Workflow Service listening on ${workflow.address}`);
  await untilSignal(async () => {
    await workflow?.close();
    await gateway.close();
  }, stop);
}

/** Options of `duo-doctor gitlab`. */
export interface ServeGitLabOptions extends GitLabOptions, ServeOptions {
  /** A scenario whose GitLab options apply (TLS and gateway wiring are `demo`'s business). */
  scenario?: string;
  /** File holding the admin token (`--token-file`); GITLAB_TOKEN is read when neither is given. */
  tokenFile?: string;
  /**
   * The environment to read GITLAB_TOKEN and AI_GATEWAY_URL from (default: this process's), and DUO_AGENT_PLATFORM_SERVICE_URL
   * (the reference's stand-in for the duo_agent_platform_service_url setting) with DUO_AGENT_PLATFORM_SERVICE_SECURE (GitLab's own variable).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the generated token goes (default: stderr). */
  err?: (line: string) => void;
}

/** The admin token: explicit, else the token file, else GITLAB_TOKEN; undefined = generate one. */
function adminTokenFrom(opts: ServeGitLabOptions, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (opts.adminToken) return opts.adminToken;
  if (opts.tokenFile) {
    try {
      return readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`cannot read token file ${opts.tokenFile}: ${(e as Error).message}`);
    }
  }
  return env['GITLAB_TOKEN'] || undefined;
}

/** Runs the reference GitLab until a signal stops it; a generated admin token is printed once, to stderr. */
export async function serveGitLab(opts: ServeGitLabOptions = {}): Promise<void> {
  const { scenario: scenarioName, tokenFile: _tokenFile, env: _env, out: _out, err: _err, stop, ...gitlabOptions } = opts;
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = opts.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scenario = scenarioName === undefined ? undefined : findScenario(scenarioName);
  if (scenarioName !== undefined && !scenario) {
    throw new UsageError(`unknown scenario '${scenarioName}' (one of: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  const adminToken = adminTokenFrom(opts, env);
  const aiGatewayUrl = opts.aiGatewayUrl ?? env['AI_GATEWAY_URL'];
  const serviceUrl = opts.duoAgentPlatformServiceUrl ?? env['DUO_AGENT_PLATFORM_SERVICE_URL'];
  // Gitlab::Utils.to_boolean(ENV['DUO_AGENT_PLATFORM_SERVICE_SECURE'], default: true) (config/initializers/1_settings.rb).
  const secureEnv = env['DUO_AGENT_PLATFORM_SERVICE_SECURE']?.trim().toLowerCase();
  const secure = opts.duoWorkflowSecure ?? (secureEnv && ['false', '0', 'no', 'off', 'f', 'n'].includes(secureEnv) ? false : true);
  // One self-hosted model with a real endpoint, as the demo's stack has, so both give the same verdicts.
  const model = await startModelServer({ ...scenario?.model?.server, host: gitlabOptions.host ?? '127.0.0.1' });
  const gitlab = await startGitLab({
    // --models replaces the one model; code features then use the first listed.
    ...selfHostedDefaults(gitlabOptions.selfHostedModels?.[0] ?? selfHostedModel(scenario, model)),
    ...scenario?.gitlab,
    ...gitlabOptions,
    ...(adminToken ? { adminToken } : {}),
    ...(aiGatewayUrl ? { aiGatewayUrl } : {}),
    ...(serviceUrl ? { duoAgentPlatformServiceUrl: serviceUrl } : {}),
    duoWorkflowSecure: secure,
  }).catch(async (error: unknown) => {
    await model.close();
    throw error;
  });
  out(`reference GitLab listening on ${gitlab.url}`);
  if (!adminToken) err(`admin token (shown once): ${gitlab.adminToken}`);
  await untilSignal(async () => {
    await gitlab.close();
    await model.close();
  }, stop);
}
