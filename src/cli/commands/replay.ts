// `duo-doctor replay DIR`: the current checks' judges over a recording, offline, in every report format.
import type { CheckFlags } from '../../config/load.js';
import { loadRun } from '../../config/load.js';
import { UsageError } from '../../config/errors.js';
import { exitCodeFor } from '../../model.js';
import { readRecording, RecordingError } from '../../record/recording.js';
import { replayRecording } from '../../record/replay.js';
import { loadRegistry } from '../../registry/plugins.js';
import { printNotes, redactRun, writeReports } from './check.js';

export async function replayCommand(dir: string, flags: CheckFlags): Promise<number> {
  const { settings, notes } = await loadRun(flags, process.env, 'replay');
  printNotes(notes);
  const recording = await readRecording(dir).catch((error: unknown) => {
    throw error instanceof RecordingError ? new UsageError(error.message) : error;
  });
  const registry = await loadRegistry(settings.plugins, settings.timeoutMs);
  // --strict is the replayer's choice, not the recorder's.
  const { strict: _recordedStrict, ...replayed } = replayRecording(registry, recording);
  const run = redactRun({ ...replayed, ...(settings.strict ? { strict: true } : {}) }, settings);
  process.stderr.write(
    `duo-doctor: replaying ${dir}: recorded ${recording.recordedAt} by duo-doctor ${recording.tool.version}, judged by this version\n`,
  );
  await writeReports(run, settings);
  return exitCodeFor(run);
}
