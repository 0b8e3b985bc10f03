// Entry point of the bundled CLI (dist/cli.js, and the single executable's CommonJS bundle). A bare `--version` is
// answered before the command-line parser loads (commander requires node:child_process and the stream modules behind
// it): the cheapest call should cost no more. No top-level await: Node's single-executable support runs CommonJS only.
import { setFlagsFromString } from 'node:v8';
import { TOOL_VERSION } from '../version.js';

// A reader that goes away (`duo-doctor list | head -1`) is not an error of ours: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// grpc-js (the Duo Workflow Service probe) names an IP-address target as the TLS server name, and Node then warns
// DEP0123 on stderr: noise a user cannot act on, in the middle of a report. Every other warning is printed as Node would.
const printWarning = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code !== 'DEP0123') for (const print of printWarning) print(warning);
});

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${TOOL_VERSION}\n`);
} else {
  // undici parses HTTP with llhttp compiled to WebAssembly. V8's optimising tier-up of it costs ~35 MB of peak RSS and
  // CPU beside the checks; baseline (Liftoff) code parses the few dozen responses of a run just as well. A process-wide
  // flag, so it is set here, at start-up, before anything compiles WebAssembly.
  setFlagsFromString('--liftoff-only');
  void import('./main.js').then(({ main }) => main(process.argv));
}
