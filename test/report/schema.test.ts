// Every JSON duo-doctor writes is valid against the published schema (schema/result.schema.json): the json reporter
// for every kind of run and serve's /results (the CLI's own output: test/cli/contract.test.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config/settings.js';
import type { RunResult } from '../../src/model.js';
import { render } from '../../src/report/json.js';
import { runChecks } from '../../src/runner/run.js';
import { startServe } from '../../src/serve/server.js';
import { ROOT } from '../helpers/cli.js';
import { multiTargetRun, sampleRun } from './sample.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema/result.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function expectValid(json: string): void {
  const ok = validate(JSON.parse(json));
  expect(validate.errors ?? [], json.slice(0, 200)).toEqual([]);
  expect(ok).toBe(true);
}

const runs: [string, () => RunResult][] = [
  ['one installation', sampleRun],
  ['several installations', multiTargetRun],
  ['--strict', () => ({ ...sampleRun(), strict: true })],
  [
    'missing inputs',
    () => ({ ...sampleRun(), missingInputs: [{ input: 'token', reason: 'no GitLab token given', checks: ['license'], target: 'eu' }] }),
  ],
  ['cut short', () => ({ ...sampleRun(), aborted: "the run's deadline passed" })],
  ['no results', () => ({ ...sampleRun(), results: [], summary: { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 } })],
];

describe('schema/result.schema.json', () => {
  it.each(runs)('the json reporter: %s', (_name, run) => expectValid(render(run(), { color: false })));

  it('rejects a result without remediation or evidence (the keys the README promises)', () => {
    const doc = JSON.parse(render(sampleRun(), { color: false })) as { results: Record<string, unknown>[] };
    delete doc.results[0]!['remediation'];
    expect(validate(doc)).toBe(false);
  });

  it("serve's /results", async () => {
    const handle = await startServe({
      port: 0,
      host: '127.0.0.1',
      intervalMs: 60_000,
      runSuite: () => runChecks([], defaultSettings()),
      secrets: [],
    });
    try {
      await handle.nextRun();
      expectValid(await (await fetch(`${handle.url}/results`)).text());
    } finally {
      await handle.close();
    }
  });
});
