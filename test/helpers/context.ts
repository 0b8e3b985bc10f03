// A CheckContext for unit tests: real memoisation, a live signal, and dependency results the test supplies.
import type { CheckContext } from '../../src/check.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { CheckResult } from '../../src/model.js';

export interface TestContext extends CheckContext {
  /** Every key `memo` was asked for, in order (to assert that probes are shared). */
  readonly memoKeys: string[];
}

export function makeContext(settings: Partial<Settings> = {}, results: CheckResult[] = []): TestContext {
  const memo = new Map<string, Promise<unknown>>();
  const memoKeys: string[] = [];
  return {
    settings: defaultSettings(settings),
    signal: new AbortController().signal,
    memoKeys,
    memo<T>(key: string, gather: () => Promise<T>): Promise<T> {
      memoKeys.push(key);
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) memo.set(key, (p = gather()));
      return p;
    },
    resultOf: (id) => results.find((r) => r.id === id),
  };
}
