// What the CLI's process sets up before any command runs; shared with the serve soak (bench/serve-soak.ts), which runs
// serve as the CLI starts it.
import { setFlagsFromString } from 'node:v8';

/**
 * Opens stdout and stderr, stopping quietly when a reader goes away, and filters Node's DEP0123 warning: grpc-js (the
 * Duo Workflow Service probe) names an IP-address target as the TLS server name, and Node then warns on stderr — noise
 * a user cannot act on, in the middle of a report. Every other warning is printed as Node would.
 */
export function setUpProcess(): void {
  // A reader that goes away (`duo-doctor list | head -1`) is not an error of ours: stop quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const printWarning = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code !== 'DEP0123') for (const print of printWarning) print(warning);
  });
}

/**
 * V8 flags for a process that runs checks, set before anything compiles (process-wide, so here, at start-up):
 * - `--liftoff-only`: undici parses HTTP with llhttp compiled to WebAssembly. V8's optimising tier-up of it costs ~35 MB
 *   of peak RSS and CPU beside the checks; baseline (Liftoff) code parses the few dozen responses of a run just as well.
 * - `--optimize-for-size`: V8 collects sooner and optimises less eagerly. Measured on the idle bench machine (three runs
 *   each): one run's peak RSS 81.4–82.8 → 76.5–77.2 MB at the same wall time; fifty targets 172–174 → 124–125 MB for
 *   +3 % wall time and +6 % CPU. A run is short and mostly waits: what it holds matters more than peak JS speed.
 */
export function tuneV8(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--optimize-for-size');
}
