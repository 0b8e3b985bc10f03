// `duo-doctor serve`: the suite on an interval behind /healthz, /results and /metrics, until SIGINT/SIGTERM; each run's
// --format/--output/--report outputs are written when asked for.
import { UsageError } from '../../config/errors.js';
import { loadRun, type CheckFlags } from '../../config/load.js';
import { loadRegistry } from '../../registry/plugins.js';
import { runAll } from '../../runner/installations.js';
import { startServe } from '../../serve/server.js';
import { secretsOf } from '../secrets.js';
import { printNotes, redactRun, writeReports } from './check.js';

export type ServeFlags = CheckFlags;

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const { settings, values, notes, sources } = await loadRun(flags, process.env, 'serve');
  printNotes(notes);
  const registry = await loadRegistry(settings.plugins, settings.timeoutMs);
  const log = (line: string) => process.stderr.write(`duo-doctor serve: ${line}\n`);
  // Outputs are written per run only when asked for: a text report every minute on stdout helps nobody by default.
  const writes = sources.format !== 'default' || sources.output !== undefined || values.report.length > 0;
  const handle = await startServe({
    port: values.port,
    host: values.host,
    intervalMs: values.intervalMs,
    runSuite: async (signal) => redactRun(await runAll(registry, settings, { signal }), settings),
    ...(writes ? { onRun: (run) => writeReports(run, settings) } : {}),
    secrets: secretsOf(settings),
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot listen on ${values.host}:${values.port}: ${error.code ?? error.message}`);
  });
  log(`listening on ${handle.url} (every ${values.intervalMs / 1000}s): /healthz /results /metrics`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('shutting down');
  await handle.close();
  return 0;
}
