// `duo-doctor check`: resolve settings, run the suite, write every requested report, return the exit code.
import { writeFile } from 'node:fs/promises';
import type { Settings } from '../../config/settings.js';
import { UsageError } from '../../config/errors.js';
import { loadRun, type CheckFlags } from '../../config/load.js';
import { exitCodeFor, type RunResult } from '../../model.js';
import { loadRegistry } from '../../registry/plugins.js';
import { renderReport } from '../../report/index.js';
import { runAll } from '../../runner/installations.js';
import { redactDeep, redactSecrets, redactText } from '../../redact.js';
import { useColor, useProgress } from '../terminal.js';
import { progressObserver } from '../progress.js';
import { secretsOf } from '../secrets.js';
import { observeRun } from '../../record/observe.js';
import { writeRecordOutputs } from '../../record/outputs.js';

/** Notes about accepted-but-corrected values, on stderr (never on stdout, which may be JSON). */
export function printNotes(notes: readonly string[]): void {
  for (const note of notes) process.stderr.write(`duo-doctor: note: ${redactText(note)}\n`);
}

/** The run as every output shows it: URL credentials and the run's secrets gone from every string, before any layout. */
export function redactRun(run: RunResult, settings: Settings): RunResult {
  return redactDeep(run, secretsOf(settings));
}

/** Renders and writes every report of `settings` for `run` (already redacted). */
export async function writeReports(run: RunResult, settings: Settings): Promise<void> {
  for (const report of settings.reports) {
    const color = report.file === undefined && useColor(process.stdout, settings.env);
    // Belt and braces: the run was redacted before rendering; a secret a reporter could assemble is still scrubbed.
    const text = redactSecrets(await renderReport(report.format, run, { color, quiet: settings.quiet }), secretsOf(settings));
    if (report.file === undefined) process.stdout.write(text);
    else {
      try {
        await writeFile(report.file, text);
      } catch (error) {
        throw new UsageError(`cannot write ${report.format} report to ${report.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
  }
}

/** Runs the suite for `settings` and writes its reports (and the recording or bundle); returns the run and the exit code (check and demo). */
export async function runSuite(settings: Settings, signal?: AbortSignal): Promise<{ run: RunResult; code: 0 | 1 }> {
  const registry = await loadRegistry(settings.plugins, settings.timeoutMs);
  const progress = useProgress(process.stderr, settings.env) ? progressObserver(process.stderr) : undefined;
  const options = { ...(progress ? { observer: progress } : {}), ...(signal ? { signal } : {}) };
  const recording = settings.record !== undefined || settings.bundle !== undefined;
  const observed = recording ? await observeRun((onFacts) => runAll(registry, settings, { ...options, onFacts })) : undefined;
  const run = redactRun(observed?.run ?? (await runAll(registry, settings, options)), settings);
  progress?.done();
  await writeReports(run, settings);
  if (observed) {
    await writeRecordOutputs({
      ...(settings.record !== undefined ? { record: settings.record } : {}),
      ...(settings.bundle !== undefined ? { bundle: settings.bundle } : {}),
      observed: { ...observed, run },
      settings,
      secrets: secretsOf(settings),
      render: (format) => renderReport(format, run, { color: false, quiet: false }),
    });
  }
  return { run, code: exitCodeFor(run) };
}

export async function checkCommand(flags: CheckFlags): Promise<number> {
  const { settings, notes } = await loadRun(flags, process.env, 'check');
  printNotes(notes);
  return (await runSuite(settings)).code;
}
