// Entry point of the bundled CLI (dist/cli.js, and the single executable's CommonJS bundle). A bare `--version` is
// answered before the command-line parser loads (commander requires node:child_process and the stream modules behind
// it): the cheapest call should cost no more. No top-level await: Node's single-executable support runs CommonJS only.
import { TOOL_VERSION } from '../version.js';
import { setUpProcess, tuneV8 } from './process-setup.js';

setUpProcess();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${TOOL_VERSION}\n`);
} else {
  tuneV8();
  void import('./main.js').then(({ main }) => main(process.argv));
}
