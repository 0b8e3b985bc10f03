// `duo-doctor gateway` and `duo-doctor gitlab`: one reference server in the foreground until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';
import { UsageError } from '../../config/errors.js';
import { MAX_TIMER_MS, wholeNumber, type Raw } from '../../config/parse.js';
import { readModelsFile } from '../../reference/gitlab/models-file.js';
import { serveGateway, serveGitLab } from '../../reference/serve-cli.js';

/** A flag's value through the same parsers as every other option (notes have nowhere to go here: none is produced). */
function parsed<T>(parse: (raw: Raw, ctx: { where: string; note(m: string): void }) => T, flag: string, raw: string | undefined, fallback: T): T {
  return raw === undefined ? fallback : parse(raw, { where: flag, note: () => undefined });
}

const port = (raw: string | undefined, fallback: number) => parsed(wholeNumber(0, 65_535), '--port', raw, fallback);
/** Added to every response by a timer: bounded by Node's timer range like every other duration. */
const latency = (raw: string | undefined) => parsed(wholeNumber(0, MAX_TIMER_MS), '--latency', raw, 0);

export async function gatewayCommand(opts: {
  port?: string;
  host?: string;
  latency?: string;
  jwksCacheSeconds?: string;
  imageTag?: string;
}): Promise<number> {
  const cache = opts.jwksCacheSeconds === undefined ? undefined : parsed(wholeNumber(0), '--jwks-cache-seconds', opts.jwksCacheSeconds, 0);
  if (!process.env.AIGW_GITLAB_URL) {
    // The real gateway would fall back to https://gitlab.com (ai_gateway/config.py), whose keys do not verify a
    // self-managed GitLab's tokens; the reference contacts no public host and fetches no keys at all. Either way: refused.
    process.stderr.write(
      "duo-doctor gateway: AIGW_GITLAB_URL is not set: no signing keys to fetch, so every GitLab-issued token is refused (the real gateway would fetch https://gitlab.com's, which do not verify your GitLab's tokens). Set AIGW_GITLAB_URL=https://<your GitLab> (see --help).\n",
    );
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
  models?: string;
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
    ...(opts.models ? { selfHostedModels: readModelsFile(opts.models) } : {}),
    ...(chain ? { tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem } } : {}),
  });
  return 0;
}
