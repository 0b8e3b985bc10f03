// A monitor that runs for months, compressed: `serve` as the CLI starts it (settings from the same flags, the registry,
// runAll), but with a short interval, for many runs in a process of its own. It prints one JSON line: RSS and open file
// descriptors after the first `mark` runs and after all of them, and the process's active handles before the server
// started and after it stopped (a timer or socket left behind shows there).
import { readdirSync } from 'node:fs';
import { setUpProcess, tuneV8 } from '../src/cli/process-setup.js';
import { loadSettings } from '../src/config/load.js';
import { loadRegistry } from '../src/registry/plugins.js';
import { runAll } from '../src/runner/installations.js';
import { startServe } from '../src/serve/server.js';

/** What one soak measured. */
export interface SoakResult {
  runs: number;
  mark: number;
  rssAtMarkMB: number;
  rssAtEndMB: number;
  fdsAtMark: number;
  fdsAtEnd: number;
  /** process.getActiveResourcesInfo() before the server started and after it stopped. */
  resourcesBefore: string[];
  resourcesAfter: string[];
  failedRuns: number;
  msPerRun: number;
}

const openFds = () => readdirSync('/proc/self/fd').length;
const rssMB = () => process.memoryUsage().rss / 1e6;

/** argv: <runs> <mark> <intervalMs> -- <check flags as JSON>. */
async function main(): Promise<void> {
  // As the CLI's entry does first: its stdio handles are the process's, open before serve starts, not serve's leftovers;
  // and the V8 flags it runs checks with.
  setUpProcess();
  tuneV8();
  const [runs, mark, intervalMs] = process.argv.slice(2, 5).map(Number) as [number, number, number];
  const flags = JSON.parse(process.argv[5] ?? '{}') as Parameters<typeof loadSettings>[0];
  const settings = await loadSettings(flags, process.env);
  const registry = await loadRegistry(settings.plugins);
  const resourcesBefore = process.getActiveResourcesInfo();
  let failedRuns = 0;
  let atMark: { rss: number; fds: number } | undefined;
  const handle = await startServe({
    port: 0,
    host: '127.0.0.1',
    intervalMs,
    runSuite: () => runAll(registry, settings),
    secrets: [settings.gitlabToken],
  });
  const started = performance.now();
  for (let i = 1; i <= runs; i++) {
    const run = await handle.nextRun();
    if (run.summary.fail + run.summary.error > 0) failedRuns++;
    if (i === mark) atMark = { rss: rssMB(), fds: openFds() };
  }
  const msPerRun = (performance.now() - started) / runs;
  const end = { rss: rssMB(), fds: openFds() };
  await handle.close();
  // Let closed sockets' and children's handles go (their close callbacks run on the next turns).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result: SoakResult = {
    runs,
    mark,
    rssAtMarkMB: atMark!.rss,
    rssAtEndMB: end.rss,
    fdsAtMark: atMark!.fds,
    fdsAtEnd: end.fds,
    resourcesBefore,
    resourcesAfter: process.getActiveResourcesInfo(),
    failedRuns,
    msPerRun,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
