// Entry point of the bundled CLI (dist/cli.js, and the single executable's CommonJS bundle). A bare `--version` is
// answered before the command-line parser loads (commander requires node:child_process and the stream modules behind
// it): the cheapest call should cost no more. No top-level await: Node's single-executable support runs CommonJS only.
import { setFlagsFromString } from 'node:v8';
import { TOOL_VERSION } from '../version.js';
import { setUpProcess } from './process-setup.js';

setUpProcess();

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
