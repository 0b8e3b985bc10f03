// `duo-doctor check`: resolve settings, run the suite, write every requested report, return the exit code.
import { writeFile } from 'node:fs/promises';
import type { Settings } from '../../config/settings.js';
import { UsageError } from '../../config/errors.js';
import { loadSettings, type CheckFlags } from '../../config/load.js';
import { exitCodeFor, type RunResult } from '../../model.js';
import { loadRegistry } from '../../registry/plugins.js';
import { renderReport } from '../../report/index.js';
import { runAll } from '../../runner/installations.js';
import { redactSecrets } from '../../redact.js';
import { useColor, useProgress } from '../terminal.js';
import { progressObserver } from '../progress.js';
import { secretsOf } from '../secrets.js';

/** Runs the suite for `settings` and writes its reports; returns the exit code (shared by check, demo and serve). */
export async function runSuite(settings: Settings): Promise<{ run: RunResult; code: 0 | 1 }> {
  const registry = await loadRegistry(settings.plugins);
  const progress = useProgress(process.stderr, settings.env) ? progressObserver(process.stderr) : undefined;
  const run = await runAll(registry, settings, progress ? { observer: progress } : {});
  progress?.done();
  for (const report of settings.reports) {
    const color = report.file === undefined && useColor(process.stdout, settings.env);
    // Belt and braces: no report ever carries the token, even if a check slipped it into a message.
    const text = redactSecrets(await renderReport(report.format, run, { color }), secretsOf(settings));
    if (report.file === undefined) process.stdout.write(text);
    else {
      try {
        await writeFile(report.file, text);
      } catch (error) {
        throw new UsageError(`cannot write ${report.format} report to ${report.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
  }
  return { run, code: exitCodeFor(run, settings.strict) };
}

export async function checkCommand(flags: CheckFlags): Promise<number> {
  const settings = await loadSettings(flags, process.env);
  return (await runSuite(settings)).code;
}
