// Property tests of the config parser and the settings loader: anything in, a valid ConfigFile/Settings or a UsageError out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { CONFIG_KEYS, readConfigFile, validateConfig, type ConfigFile } from '../../src/config/file.js';
import { loadSettings, type CheckFlags } from '../../src/config/load.js';
import type { Settings } from '../../src/config/settings.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { runs } from './shape.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duo-doctor-fuzz-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `f`; a UsageError (one line, no stack in its message) is an accepted answer, anything else thrown fails. */
async function settledOrUsage<T>(f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    expect(error.message).not.toMatch(/\n\s+at /);
    expect(error.message.trim()).not.toBe('');
    return undefined;
  }
}

const KEYS = Object.keys(CONFIG_KEYS) as (keyof typeof CONFIG_KEYS)[];
/** A value of any type, biased towards the ones config keys take. */
const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.constant(null),
  fc.anything({ maxDepth: 2 }),
);
const target = fc.dictionary(
  fc.constantFrom('name', 'gitlabUrl', 'gatewayUrl', 'caFile', 'tokenEnv', 'tmpDir', 'bogus'),
  fc.oneof(fc.constantFrom('prod', 'eu', 'https://gitlab.example.com', '', 'has space'), value),
  { maxKeys: 4 },
);
const configDoc = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), fc.oneof(value, fc.array(target, { maxLength: 3 })), {
      maxKeys: 6,
    }),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** Checks a validated config against CONFIG_KEYS: only known keys, each of its declared type. */
function expectTyped(config: ConfigFile): void {
  for (const [key, v] of Object.entries(config)) {
    const type = CONFIG_KEYS[key as keyof typeof CONFIG_KEYS];
    expect(type).toBeDefined();
    if (type === 'string[]') expect(Array.isArray(v) && v.every((s) => typeof s === 'string')).toBe(true);
    else if (type === 'target[]') expect(Array.isArray(v) && v.every((t) => typeof (t as { name?: unknown }).name === 'string')).toBe(true);
    else if (type === 'number') expect(Number.isFinite(v)).toBe(true);
    else expect(typeof v).toBe(type);
  }
}

/** Checks resolved settings: positive whole numbers, a known format first, http(s) GitLab URL. */
function expectUsable(s: Settings): void {
  expect(Number.isInteger(s.timeoutMs) && s.timeoutMs >= 1).toBe(true);
  expect(s.concurrency === Number.POSITIVE_INFINITY || (Number.isInteger(s.concurrency) && s.concurrency >= 1)).toBe(true);
  expect(s.reports.length).toBeGreaterThan(0);
  for (const r of s.reports) expect(REPORT_FORMATS).toContain(r.format);
  if (s.gitlabUrl !== undefined) expect(new URL(s.gitlabUrl).protocol).toMatch(/^https?:$/);
  expect(s.only.filter((o) => s.skip.includes(o))).toEqual([]);
}

const flagString = fc.oneof(
  fc.string({ maxLength: 15 }),
  fc.constantFrom('0', '1', '-5', '10000', 'abc', 'https://gitlab.example.com', 'ftp://x', 'http://[::1]:8080', 'json', 'junit=out.xml', 'ca-bundle'),
);
const flags: fc.Arbitrary<CheckFlags> = fc.record(
  {
    gitlabUrl: flagString,
    gatewayUrl: flagString,
    tmpDir: flagString,
    only: fc.array(flagString, { maxLength: 2 }),
    skip: fc.array(flagString, { maxLength: 2 }),
    format: flagString,
    output: flagString,
    report: fc.array(flagString, { maxLength: 2 }),
    timeout: flagString,
    concurrency: flagString,
    strict: fc.boolean(),
    gatewayVersion: flagString,
    gatewayImageTag: flagString,
    expiryWarnDays: flagString,
    deepSeconds: flagString,
  },
  { requiredKeys: [] },
);
const env = fc.record(
  { DUO_DOCTOR_GITLAB_URL: flagString, AI_GATEWAY_URL: flagString, HF_HOME: flagString, GITLAB_TOKEN: fc.string({ maxLength: 10 }) },
  { requiredKeys: [] },
);

describe('the config parser and loader under generated input', () => {
  it('validateConfig: a typed ConfigFile or a UsageError, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(configDoc, async (doc) => {
        const config = await settledOrUsage(() => validateConfig(doc, '--config fuzz.yaml'));
        if (config) expectTyped(config);
      }),
      { numRuns: runs(3_000) },
    );
  });

  it('readConfigFile: any bytes on disk (YAML or JSON) give a ConfigFile or a one-line UsageError', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          configDoc.map((d) => JSON.stringify(d) ?? ''),
        ),
        fc.constantFrom('yaml', 'json'),
        async (text, ext) => {
          const file = join(dir, `c${n++}.${ext}`);
          await writeFile(file, text);
          const config = await settledOrUsage(() => readConfigFile(file));
          if (config) expectTyped(config);
        },
      ),
      { numRuns: runs(1_000) },
    );
  });

  it('loadSettings: any flags and environment give usable Settings or a UsageError', async () => {
    await fc.assert(
      fc.asyncProperty(flags, env, async (f, e) => {
        const settings = await settledOrUsage(() => loadSettings(f, e));
        if (settings) expectUsable(settings);
      }),
      { numRuns: runs(3_000) },
    );
  });
});
