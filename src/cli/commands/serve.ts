// `duo-doctor serve`: the suite on an interval behind /healthz, /results and /metrics, until SIGINT/SIGTERM.
import { UsageError } from '../../config/errors.js';
import { loadSettings, type CheckFlags } from '../../config/load.js';
import { loadRegistry } from '../../registry/plugins.js';
import { runAll } from '../../runner/installations.js';
import { parseInterval } from '../../serve/interval.js';
import { startServe } from '../../serve/server.js';
import { secretsOf } from '../secrets.js';

export interface ServeFlags extends CheckFlags {
  port?: string;
  host?: string;
  interval?: string;
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const settings = await loadSettings(flags, process.env);
  const port = Number(flags.port ?? 9400);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${flags.port}: expected a port number`);
  const intervalMs = parseInterval(flags.interval ?? '60s');
  const registry = await loadRegistry(settings.plugins);
  const log = (line: string) => process.stderr.write(`duo-doctor serve: ${line}\n`);
  const handle = await startServe({
    port,
    host: flags.host ?? '0.0.0.0',
    intervalMs,
    runSuite: () => runAll(registry, settings),
    secrets: secretsOf(settings),
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot listen on ${flags.host ?? '0.0.0.0'}:${port}: ${error.code ?? error.message}`);
  });
  log(`listening on ${handle.url} (every ${intervalMs / 1000}s): /healthz /results /metrics`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('shutting down');
  await handle.close();
  return 0;
}
