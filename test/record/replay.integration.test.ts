// Record, then replay: every scenario of the reference stack replays to the same statuses and findings, the HAR is valid
// HAR 1.2 and holds every request the probes made, a changed judge gives its new verdict, and a recording says what it lacks.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import harValidator from 'har-validator';
import { CHECKS } from '../../checks/index.js';
import type { CheckDefinition } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { observeRun } from '../../src/record/observe.js';
import { readRecording, RecordingError, writeRecording } from '../../src/record/recording.js';
import { replayRecording } from '../../src/record/replay.js';
import { SCENARIOS, startStack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function record(scenarioName: string): Promise<{ dir: string; requests: number; token: string }> {
  const scenario = SCENARIOS.find((s) => s.name === scenarioName)!;
  const stack = await startStack(scenario);
  const dir = await mkdtemp(join(tmpdir(), 'duo-rec-'));
  dirs.push(dir);
  // Counted apart from the recorder: every request undici creates in this process (the probes' HTTP client).
  let requests = 0;
  const count = () => requests++;
  subscribe('undici:request:create', count);
  try {
    const settings = defaultSettings(stack.settingsOverrides);
    const observed = await observeRun((onFacts) => runChecks(CHECKS, settings, { onFacts }));
    await writeRecording(dir, { ...observed, settings, secrets: [stack.adminToken] });
    return { dir, requests, token: stack.adminToken };
  } finally {
    unsubscribe('undici:request:create', count);
    await stack.close();
  }
}

const verdicts = (results: { id: string; status: string; findings?: { id: string }[] }[]) =>
  results.map((r) => [r.id, r.status, (r.findings ?? []).map((f) => f.id)]);

describe('record → replay', () => {
  it.each(SCENARIOS.map((s) => s.name))('%s replays to the recorded verdicts', async (name) => {
    const { dir, token } = await record(name);
    const recording = await readRecording(dir);
    const replayed = replayRecording(CHECKS, recording);
    expect(verdicts(replayed.results)).toEqual(verdicts(recording.result.results));
    // Judged checks were judged again from facts, not copied: each has its facts in the recording.
    const judged = recording.result.results.filter((r) => r.findings);
    expect(judged.every((r) => recording.facts.some((f) => f.check === r.id))).toBe(true);
    const everything = await Promise.all(['recording.json', 'exchanges.har'].map((f) => readFile(join(dir, f), 'utf8')));
    for (const text of everything) expect(text).not.toContain(token);
  });

  it('writes valid HAR 1.2 holding every request the probes made', async () => {
    const { dir, requests } = await record('healthy');
    const har = JSON.parse(await readFile(join(dir, 'exchanges.har'), 'utf8'));
    await expect(harValidator.har(har)).resolves.toBeTruthy();
    expect(requests).toBeGreaterThan(5);
    // undici's requests, plus the security probes' byte-for-byte requests (a baseline and three Host vectors at least).
    const raw = har.log.entries.filter((e: { _via: string }) => e._via === 'raw').length;
    expect(raw).toBeGreaterThanOrEqual(4);
    // GitLab's agent WebSocket upgrade (proxy-upgrade) is there too, its admin token masked.
    expect(har.log.entries.some((e: { _via: string; response: { status: number } }) => e._via === 'websocket' && e.response.status === 101)).toBe(
      true,
    );
    expect(har.log.entries.length).toBeGreaterThanOrEqual(requests + raw);
    const sent = har.log.entries.flatMap((e: { request: { headers: { name: string; value: string }[] } }) => e.request.headers);
    for (const h of sent.filter((x: { name: string }) => /^(private-token|authorization)$/i.test(x.name))) expect(h.value).toBe('[REDACTED]');
  });

  it('replays a changed judge to its new verdict', async () => {
    const { dir } = await record('jwks-empty');
    const recording = await readRecording(dir);
    const judged = recording.result.results.find((r) => r.findings && recording.facts.some((f) => f.check === r.id))!;
    const original = CHECKS.find((c) => c.id === judged.id)!;
    // The judge's rule changes: the finding that led the recorded verdict now carries another status.
    const lead = judged.findings!.find((f) => f.status === judged.status)!;
    const status = judged.status === 'pass' ? 'fail' : 'pass';
    const changed: CheckDefinition = { ...original, messages: { ...original.messages, [lead.id]: { ...original.messages![lead.id]!, status } } };
    const replayed = replayRecording(
      CHECKS.map((c) => (c.id === judged.id ? changed : c)),
      recording,
    );
    expect(replayed.results.find((r) => r.id === judged.id)).toMatchObject({ status, findings: expect.arrayContaining([{ id: lead.id, status }]) });
  });

  it('says what an older recording lacks', async () => {
    const { dir } = await record('healthy');
    const recording = JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8'));
    const judgedId = recording.facts[0].check as string;
    // A check the recorder did not have is skipped, naming the version that recorded it.
    recording.result.results = recording.result.results.filter((r: { id: string }) => r.id !== judgedId);
    const replayed = replayRecording(CHECKS, recording);
    expect(replayed.results.find((r) => r.id === judgedId)).toMatchObject({
      status: 'skip',
      summary: expect.stringContaining('not in this recording'),
    });
    // A newer format, or no recording at all, is refused with the reason.
    await writeFile(join(dir, 'recording.json'), JSON.stringify({ ...recording, formatVersion: 99 }));
    await expect(readRecording(dir)).rejects.toThrow(/format version 99/);
    await expect(readRecording(join(dir, 'nope'))).rejects.toBeInstanceOf(RecordingError);
  });
});
