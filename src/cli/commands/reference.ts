// `duo-doctor gateway` and `duo-doctor gitlab`: one reference server in the foreground until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';
import { UsageError } from '../../config/errors.js';
import { serveGateway, serveGitLab } from '../../reference/serve-cli.js';

function port(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${raw}: expected a port number`);
  return n;
}

function latency(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--latency ${raw}: expected milliseconds (a whole number)`);
  return n;
}

export async function gatewayCommand(opts: { port?: string; host?: string; latency?: string; jwksCacheSeconds?: string; imageTag?: string }): Promise<number> {
  const cache = opts.jwksCacheSeconds === undefined ? undefined : Number(opts.jwksCacheSeconds);
  if (cache !== undefined && !(Number.isInteger(cache) && cache >= 0)) throw new UsageError(`--jwks-cache-seconds ${opts.jwksCacheSeconds}: expected seconds`);
  if (!process.env.AIGW_GITLAB_URL) {
    process.stderr.write("duo-doctor gateway: AIGW_GITLAB_URL is not set: the gateway cannot fetch GitLab's signing keys and refuses every GitLab-issued token. Set AIGW_GITLAB_URL=https://<your GitLab> (see --help).\n");
  }
  await serveGateway({
    port: port(opts.port, 5052),
    host: opts.host ?? '127.0.0.1',
    latencyMs: latency(opts.latency),
    ...(cache !== undefined ? { jwksCacheSeconds: cache } : {}),
    ...(opts.imageTag ? { version: opts.imageTag } : {}),
  });
  return 0;
}

export async function gitlabCommand(opts: {
  port?: string;
  host?: string;
  scenario?: string;
  tokenFile?: string;
  gatewayUrl?: string;
  latency?: string;
  https?: boolean;
  caOut?: string;
}): Promise<number> {
  // --https serves a private-CA chain for the host; --ca-out writes its root so a gateway or duo-doctor can trust it.
  // node-forge is loaded only when a chain is generated.
  const chain = opts.https ? (await import('../../pki/generate.js')).buildChain({ host: opts.host ?? '127.0.0.1' }) : undefined;
  if (chain && opts.caOut) {
    try {
      writeFileSync(opts.caOut, chain.root.certPem);
    } catch (error) {
      throw new UsageError(`--ca-out ${opts.caOut}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  await serveGitLab({
    port: port(opts.port, 0),
    host: opts.host ?? '127.0.0.1',
    latencyMs: latency(opts.latency),
    ...(opts.scenario ? { scenario: opts.scenario } : {}),
    ...(opts.tokenFile ? { tokenFile: opts.tokenFile } : {}),
    ...(opts.gatewayUrl ? { aiGatewayUrl: opts.gatewayUrl } : {}),
    ...(chain ? { tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem } } : {}),
  });
  return 0;
}
