// Entry point of the bundled CLI (dist/cli.js). A bare `--version` is answered before the command-line parser loads
// (commander requires node:child_process and the stream modules behind it): the cheapest call should cost no more.
import { TOOL_VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${TOOL_VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  await main(process.argv);
}
