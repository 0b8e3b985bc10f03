// What a running check's probes are doing right now ("waiting for the response headers from https://…"), so a check
// abandoned at its timeout or at the run's deadline is named with its stage even when it ignores its signal.
// AsyncLocalStorage scopes one board to one check's run without threading it through every probe.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The stages open in one check's run; the latest still open is the one reported. */
export class StageBoard {
  private readonly open = new Set<() => string>();

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
