// Value parsers and the config file's validation at their edges: a value of the wrong type, blank, at a bound and one
// past it, lists empty / one / many, the /api/v4 suffix, and each way a document or a target can be malformed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { readConfigFile, validateConfig } from '../../src/config/file.js';
import { duration, flag, headerSafeToken, list, listOf, nonEmpty, oneOf, targetUrl, version, wholeNumber, type Raw } from '../../src/config/parse.js';

const notes: string[] = [];
const ctx = { where: 'W', note: (m: string) => notes.push(m) };
const fails = (f: () => unknown, message: string) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toBe(message);
};

describe('parsers', () => {
  it.each([
    [' x ', 'x'],
    ['a b', 'a b'],
  ])('nonEmpty %j → %j', (raw, want) => expect(nonEmpty(raw, ctx)).toBe(want));

  it.each<[Raw, string]>([
    ['  ', 'W is empty (an unset variable in a script?): give a value or leave the option out'],
    [3, 'W: expected a string'],
    [true, 'W: expected a string'],
  ])('nonEmpty %j refused', (raw, message) => fails(() => nonEmpty(raw, ctx), message));

  it.each<[Raw, number | string]>([
    ['1', 1],
    [' 5 ', 5],
    [10, 10],
    ['0', 'W 0: expected a whole number from 1 to 10'],
    ['11', 'W 11: expected a whole number from 1 to 10'],
    ['2.5', 'W 2.5: expected a whole number from 1 to 10'],
  ])('wholeNumber(1, 10) %j', (raw, want) =>
    typeof want === 'number' ? expect(wholeNumber(1, 10)(raw, ctx)).toBe(want) : fails(() => wholeNumber(1, 10)(raw, ctx), want),
  );

  it('wholeNumber without a maximum says "of at least"', () => fails(() => wholeNumber(1)('0', ctx), 'W 0: expected a whole number of at least 1'));

  it.each<[Raw, number | string]>([
    ['1.5s', 1500],
    ['1.25 s', 1250],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['2500ms', 2500],
    ['7', 7000],
    [3, 3000],
    ['1.s', 'W 1.s: expected a duration such as 500ms, 30s, 5m or 1h'],
    ['1.5x', 'W 1.5x: expected a duration such as 500ms, 30s, 5m or 1h'],
    ['x1s', 'W x1s: expected a duration such as 500ms, 30s, 5m or 1h'],
    ['0.5', 'W 0.5: at least 1000 ms'],
    ['999ms', 'W 999ms: at least 1000 ms'],
    ['1000ms', 1000],
  ])('duration(s, 1000) %j', (raw, want) =>
    typeof want === 'number' ? expect(duration('s', 1000)(raw, ctx)).toBe(want) : fails(() => duration('s', 1000)(raw, ctx), want),
  );

  it.each([
    ['18.7.0', true],
    ['v18.7.0-ee', true],
    ['18.10.12', true],
    ['18.7', false],
    ['x18.7.0', false],
    ['18.7.0 ', true],
    ['18.7.0-', false],
    ['18.7.0x', false],
  ])('version %j accepted: %s', (raw, ok) =>
    ok ? expect(version(raw, ctx)).toBe(raw.trim()) : fails(() => version(raw, ctx), `W ${raw.trim()}: expected a version such as 18.7.0`),
  );

  it.each([
    ['https://g.example.com/api/v4', 'https://g.example.com'],
    ['https://g.example.com/api/v4/', 'https://g.example.com'],
    ['https://g.example.com/gitlab/api/v4?x=1', 'https://g.example.com/gitlab?x=1'],
    ['https://g.example.com/api/v4x', 'https://g.example.com/api/v4x'],
    ['https://g.example.com/api/v4/projects', 'https://g.example.com/api/v4/projects'],
  ])('targetUrl stripApi %j → %j', (raw, want) => {
    notes.length = 0;
    expect(targetUrl({ stripApi: true })(raw, ctx)).toBe(want);
    expect(notes.length).toBe(raw === want ? 0 : 1);
  });

  it('targetUrl without stripApi keeps /api/v4', () => {
    notes.length = 0;
    expect(targetUrl()('https://g.example.com/api/v4', ctx)).toBe('https://g.example.com/api/v4');
    expect(notes).toEqual([]);
  });

  it.each<[Raw, boolean | string]>([
    [true, true],
    [false, false],
    ['true', 'W: expected true or false'],
  ])('flag %j', (raw, want) => (typeof want === 'boolean' ? expect(flag(raw, ctx)).toBe(want) : fails(() => flag(raw, ctx), want)));

  it.each<[Raw, string[] | string]>([
    ['a', ['a']],
    ['a, b ,c', ['a', 'b', 'c']],
    [
      ['a', 'b,c'],
      ['a', 'b', 'c'],
    ],
    ['a,,b', 'W "a,,b": an empty item (an unset variable in a script?)'],
    [[], 'W "": an empty item (an unset variable in a script?)'],
    ['', 'W "": an empty item (an unset variable in a script?)'],
    [5, 'W: expected a list of strings'],
  ])('list %j', (raw, want) => (Array.isArray(want) ? expect(list(raw, ctx)).toEqual(want) : fails(() => list(raw, ctx), want)));

  it.each<[Raw, string[] | string]>([
    ['a', ['a']],
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    [[], 'W: an empty list'],
    [['a', ' '], 'W is empty (an unset variable in a script?): give a value or leave the option out'],
  ])('listOf(nonEmpty) %j', (raw, want) =>
    Array.isArray(want) ? expect(listOf(nonEmpty)(raw, ctx)).toEqual(want) : fails(() => listOf(nonEmpty)(raw, ctx), want),
  );

  it.each([
    ['json', 'json'],
    ['xml', 'W xml: expected one of json, text'],
  ])('oneOf %j', (raw, want) =>
    want === raw ? expect(oneOf(['json', 'text'])(raw, ctx)).toBe(raw) : fails(() => oneOf(['json', 'text'])(raw, ctx), want),
  );

  it.each([
    ['a', true],
    ['glpat-a b', true],
    ['a\tb', true],
    ['é', true],
    [' a', false],
    ['a ', false],
    ['a\t', false],
    ['a\nb', false],
    ['', false],
    ['\u0100', false],
  ])('headerSafeToken %j accepted: %s', (token, ok) =>
    ok
      ? expect(headerSafeToken(token, 'S')).toBe(token)
      : fails(
          () => headerSafeToken(token, 'S'),
          'the GitLab token from S holds a line break or another character an HTTP header cannot carry: store the token alone on one line',
        ),
  );
});

describe('validateConfig', () => {
  it.each([
    [null, {}],
    [undefined, {}],
    [
      { timeout: 5, strict: true, only: ['a'], gitlabUrl: 'https://g' },
      { timeout: 5, strict: true, only: ['a'], gitlabUrl: 'https://g' },
    ],
    [{ targets: [{ name: 'a.b_c-1' }, { name: 'B' }] }, { targets: [{ name: 'a.b_c-1' }, { name: 'B' }] }],
  ])('%j → %j', (doc, want) => expect(validateConfig(doc, 'F')).toEqual(want));

  it.each([
    [[], 'F: expected a mapping of settings at the top level'],
    ['text', 'F: expected a mapping of settings at the top level'],
    [3, 'F: expected a mapping of settings at the top level'],
    [{ zzzzzzzzzz: 1 }, "F: unknown key 'zzzzzzzzzz'"],
    [{ timout: 1 }, "F: unknown key 'timout' (did you mean 'timeout'?)"],
    [{ toString: 1 }, "F: unknown key 'toString'"],
    [{ only: 'a' }, "F: 'only' must be a list of strings"],
    [{ only: ['a', 1] }, "F: 'only' must be a list of strings"],
    [{ timeout: '5' }, "F: 'timeout' must be a number"],
    [{ timeout: Infinity }, "F: 'timeout' must be a number"],
    [{ strict: 'yes' }, "F: 'strict' must be a boolean"],
    [{ gitlabUrl: 5 }, "F: 'gitlabUrl' must be a string"],
    [{ targets: 'a' }, "F: 'targets' must be a non-empty list of installations"],
    [{ targets: [] }, "F: 'targets' must be a non-empty list of installations"],
    [{ targets: ['a'] }, 'F: targets[0] must be a mapping'],
    [{ targets: [null] }, 'F: targets[0] must be a mapping'],
    [{ targets: [[]] }, 'F: targets[0] must be a mapping'],
    [{ targets: [{ name: 'a', nmae: 'b' }] }, "F: targets[0]: unknown key 'nmae' (did you mean 'name'?)"],
    [{ targets: [{ name: 'a', zzzzzzzzzzzz: 'b' }] }, "F: targets[0]: unknown key 'zzzzzzzzzzzz'"],
    [{ targets: [{ name: 5 }] }, "F: targets[0]: 'name' must be a string"],
    [{ targets: [{ name: '' }] }, "F: targets[0]: 'name' is required (letters, digits, . _ -)"],
    [{ targets: [{ name: '-a' }] }, "F: targets[0]: 'name' is required (letters, digits, . _ -)"],
    [{ targets: [{ name: 'a b' }] }, "F: targets[0]: 'name' is required (letters, digits, . _ -)"],
    [{ targets: [{ name: 'a' }, { name: 'a' }] }, "F: targets[1]: the name 'a' is used twice"],
  ])('%j is refused', (doc, message) => fails(() => validateConfig(doc, 'F'), message));
});

describe('readConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-config-edges-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['c.json', '{"timeout": 5}', { timeout: 5 }],
    ['c.yaml', 'timeout: 5\n', { timeout: 5 }],
    ['c.yml', '{"timeout": 5}', { timeout: 5 }],
    ['empty.yaml', '', {}],
  ])('%s', async (name, text, want) => {
    await writeFile(path.join(dir, name), text);
    expect(await readConfigFile(path.join(dir, name))).toEqual(want);
  });

  it.each([
    ['bad.json', 'timeout: 5', 'not valid JSON: '],
    ['bad.yaml', 'a: [1\n', 'not valid YAML: '],
  ])('%s names its format and only the first line of the parser error', async (name, text, message) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    const err = (await readConfigFile(file).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message.startsWith(`--config ${file}: ${message}`)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('a missing file is named', async () => {
    await expect(readConfigFile(path.join(dir, 'none.yaml'))).rejects.toThrow(`--config ${path.join(dir, 'none.yaml')}: `);
  });
});
