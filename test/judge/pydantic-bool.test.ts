// pydantic's boolean reading, value by value: the edges of each set, case folding, and what it refuses.
import { describe, expect, it } from 'vitest';
import { envLookup, parsePydanticBool, pydanticBool } from '../../src/judge/pydantic-bool.js';

describe('parsePydanticBool', () => {
  it.each([
    ['1', true],
    ['t', true],
    ['T', true],
    ['y', true],
    ['on', true],
    ['ON', true],
    ['yes', true],
    ['YeS', true],
    ['true', true],
    ['TRUE', true],
    ['0', false],
    ['f', false],
    ['F', false],
    ['n', false],
    ['no', false],
    ['off', false],
    ['Off', false],
    ['false', false],
    ['False', false],
  ])('%s → %s', (raw, value) => {
    expect(parsePydanticBool(raw)).toEqual({ kind: 'bool', value });
  });

  it.each(['', ' true', 'true ', '2', '01', 'enabled', 'yes please', 'tru', 'ｔrue', '-1'])('%j is invalid', (raw) => {
    expect(parsePydanticBool(raw)).toEqual({ kind: 'invalid', raw });
  });

  it('unset is neither', () => {
    expect(parsePydanticBool(undefined)).toEqual({ kind: 'unset' });
  });

  it.each([
    [undefined, undefined],
    ['yes', true],
    ['OFF', false],
    ['maybe', undefined],
    [' true', undefined],
  ] as const)('pydanticBool(%j) → %s', (raw, value) => {
    expect(pydanticBool(raw)).toBe(value);
  });
});

describe('envLookup', () => {
  it.each([
    [{ AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, 'AIGW_AUTH__BYPASS_EXTERNAL'],
    [{ aigw_auth__bypass_external: 'true' }, 'aigw_auth__bypass_external'],
    [{ aigw_auth__bypass_external: 'false', AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, 'AIGW_AUTH__BYPASS_EXTERNAL'],
  ])('finds %j', (env, name) => {
    expect(envLookup(env, 'AIGW_AUTH__BYPASS_EXTERNAL')?.name).toBe(name);
  });

  it('is undefined when no spelling is set', () => {
    expect(envLookup({ OTHER: '1', AIGW_AUTH__BYPASS_EXTERNAL: undefined }, 'AIGW_AUTH__BYPASS_EXTERNAL')).toBeUndefined();
  });
});
