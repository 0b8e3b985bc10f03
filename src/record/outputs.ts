// What `check --record DIR` and `check --bundle FILE` write once a run is over: the recording, and the support bundle
// (reports + recording + README) — a bundle without --record records into a temporary directory removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { writeBundle } from './bundle.js';
import type { Observed } from './observe.js';
import { writeRecording } from './recording.js';
import { scrubText } from './scrub.js';

/** Writes the recording and/or the bundle; `render` gives a report in a format (text without colour). */
export async function writeRecordOutputs(o: {
  record?: string;
  bundle?: string;
  observed: Observed;
  settings: Settings;
  secrets: readonly string[];
  render: (format: 'text' | 'json') => Promise<string>;
}): Promise<void> {
  const scratch = o.record === undefined && o.bundle !== undefined ? await mkdtemp(join(tmpdir(), 'duo-doctor-bundle-')) : undefined;
  const dir = o.record ?? scratch;
  if (dir === undefined) return;
  try {
    const files = await writeRecording(dir, { ...o.observed, settings: o.settings, secrets: o.secrets });
    if (o.bundle === undefined) return;
    const [text, json] = await Promise.all([o.render('text'), o.render('json')]);
    await writeBundle(o.bundle, {
      text: scrubText(text, o.secrets),
      json: scrubText(json, o.secrets),
      recordingDir: dir,
      recordingFiles: files,
      recordedAt: o.observed.run.startedAt,
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
