// What a running check's probes are doing right now ("waiting for the response headers from https://…"), so a check
// abandoned at its timeout or at the run's deadline is named with its stage even when it ignores its signal; and how
// long they may still wait, so a probe that starts late in its check gives up within the check's budget.
// AsyncLocalStorage scopes one board to one check's run without threading it through every probe.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The stages open in one check's run, the latest still open being the one reported; and the check's time budget. */
export class StageBoard {
  private readonly open = new Set<() => string>();
  /** When the check's budget ends (`performance.now()` time); Infinity: no budget beyond each probe's own. */
  readonly deadline: number;

  /** `timeoutMs`: the check's budget from now (its --timeout); none: no budget beyond each probe's own. */
  constructor(readonly timeoutMs = Infinity) {
    this.deadline = performance.now() + timeoutMs;
  }

  /** Opens a stage, described lazily (read only when asked); returns the function that closes it. */
  enter(describe: () => string): () => void {
    this.open.add(describe);
    return () => this.open.delete(describe);
  }

  /** The latest stage still open, or undefined when no probe is at work. */
  current(): string | undefined {
    return [...this.open].at(-1)?.();
  }
}

const boards = new AsyncLocalStorage<StageBoard>();

/** Runs `fn` with `board` receiving every stage its probes open. */
export function withStageBoard<T>(board: StageBoard, fn: () => Promise<T>): Promise<T> {
  return boards.run(board, fn);
}

/** Opens a stage on the current board (a no-op outside one, so probes call it unconditionally); returns its closer. */
export function enterStage(describe: () => string): () => void {
  return boards.getStore()?.enter(describe) ?? (() => undefined);
}

/** A probe's time: how long it may still wait, and the budget it names when that runs out. */
export interface Budget {
  /** Its own timeout, cut to what is left of the running check's budget (at least 1 ms). */
  waitMs: number;
  /** The smaller of its own timeout and the check's whole budget: what "no answer within … ms" says (the --timeout that ran out). */
  timeoutMs: number;
}

/**
 * The time of a probe that asks for `timeoutMs`, within the running check: a probe that starts late in its check gives
 * up when the check's budget ends, so its own verdict comes before the runner abandons the check. Outside a check, its own.
 */
export function budget(timeoutMs: number): Budget {
  const board = boards.getStore();
  if (!board) return { waitMs: timeoutMs, timeoutMs };
  return {
    waitMs: Math.min(timeoutMs, Math.max(1, Math.floor(board.deadline - performance.now()))),
    timeoutMs: Math.min(timeoutMs, board.timeoutMs),
  };
}
