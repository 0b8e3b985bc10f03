// UsageError: what the CLI prints as one line (exit 2); read as text (a plugin's log, String(error)) it names its kind.
import { expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';

it('a UsageError is an Error that names itself', () => {
  const error = new UsageError('--timeout: not a number');
  expect(error).toBeInstanceOf(Error);
  expect(String(error)).toBe('UsageError: --timeout: not a number');
});
