// What the CLI's process sets up before any command runs; shared with the serve soak (bench/serve-soak.ts), which runs
// serve as the CLI starts it.

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
