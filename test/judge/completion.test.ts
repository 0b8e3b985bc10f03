// The completion in GitLab's answer, read as GitLab's own test reads it (choices[0].text present).
import { describe, expect, it } from 'vitest';
import { completed, completionText, jsonObject } from '../../src/judge/completion.js';

describe('jsonObject', () => {
  it.each<[string, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['{}', {}],
    ['[]', undefined],
    ['[{"a":1}]', undefined],
    ['null', undefined],
    ['"text"', undefined],
    ['42', undefined],
    ['not json', undefined],
    ['', undefined],
  ])('%s → %j', (body, expected) => {
    expect(jsonObject(body)).toEqual(expected);
  });
});

describe('completionText and completed', () => {
  it.each<[string, number, string | undefined, boolean]>([
    ['{"choices":[{"text":"puts 1"}]}', 200, 'puts 1', true],
    ['{"choices":[{"text":"a"},{"text":"b"}]}', 200, 'a', true],
    ['{"choices":[{"text":"  \\n"}]}', 200, undefined, false],
    ['{"choices":[{"text":""}]}', 200, undefined, false],
    ['{"choices":[{"text":7}]}', 200, undefined, false],
    ['{"choices":[]}', 200, undefined, false],
    ['{"choices":{"text":"x"}}', 200, undefined, false],
    ['{"choices":[null]}', 200, undefined, false],
    ['{}', 200, undefined, false],
    ['not json', 200, undefined, false],
    ['{"choices":[{"text":"puts 1"}]}', 201, 'puts 1', false],
    ['{"choices":[{"text":"puts 1"}]}', 401, 'puts 1', false],
  ])('%s with HTTP %i → %j, completed %s', (body, status, text, done) => {
    expect(completionText(jsonObject(body))).toBe(text);
    expect(completed(status, body)).toBe(done);
  });

  it('reads nothing from no body', () => {
    expect(completionText(undefined)).toBeUndefined();
  });
});
