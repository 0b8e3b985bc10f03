// A probe's budget: what is left of its check's --timeout when it starts (budget.integration.test.ts: each probe against
// loopback servers, started late in its check).
import { describe, expect, it } from 'vitest';
import { budget, StageBoard, withStageBoard } from '../../src/probes/stage-board.js';

describe('budget', () => {
  it.each([
    { name: 'outside a check', checkMs: undefined, afterMs: 0, wait: [5000, 5000], says: 5000 },
    { name: 'a check with more left than the probe asks', checkMs: 10_000, afterMs: 0, wait: [5000, 5000], says: 5000 },
    { name: 'a check with less left', checkMs: 1000, afterMs: 0, wait: [900, 1000], says: 1000 },
    { name: 'a check with exactly the probe timeout left', checkMs: 5000, afterMs: 0, wait: [4900, 5000], says: 5000 },
    { name: 'a check whose budget has run out', checkMs: 50, afterMs: 80, wait: [1, 1], says: 50 },
  ])('$name: waits $wait.0–$wait.1 ms, says $says ms', async ({ checkMs, afterMs, wait, says }) => {
    const ask = async () => {
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      return budget(5000);
    };
    const got = await (checkMs === undefined ? ask() : withStageBoard(new StageBoard(checkMs), ask));
    expect(got.waitMs).toBeGreaterThanOrEqual(wait[0]!);
    expect(got.waitMs).toBeLessThanOrEqual(wait[1]!);
    expect(got.timeoutMs).toBe(says);
  });
});
