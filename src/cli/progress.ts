// A live one-line progress indicator on stderr (TTY only): "5 of 26 done, 3 running: gateway-health, jwks-valid +1 more".
import type { CheckDefinition } from '../check.js';
import type { RunObserver } from '../runner/run.js';

/** How many running checks the line names; the rest are counted, never silently dropped. */
const NAMED = 3;

/** The progress line for a state of the run. */
export function progressLine(finished: number, total: number, running: readonly string[]): string {
  const named = running.slice(0, NAMED).join(', ');
  const more = running.length > NAMED ? ` +${running.length - NAMED} more` : '';
  return `${finished} of ${total} done, ${running.length} running${named ? `: ${named}${more}` : ''}`;
}

export function progressObserver(stream: NodeJS.WriteStream): RunObserver & { done(): void } {
  let total = 0;
  let started = 0;
  let finished = 0;
  const running = new Set<string>();
  const draw = () => {
    const line = progressLine(finished, total, [...running]);
    // A line wider than the terminal would wrap and leave debris: cut it visibly (…) at the edge.
    const width = stream.columns ? stream.columns - 1 : Infinity;
    stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  };
  return {
    onPlan(count: number) {
      total += count;
    },
    onStart(check: CheckDefinition) {
      started++;
      running.add(check.id);
      draw();
    },
    onFinish(result) {
      finished++;
      running.delete(result.id);
      if (started > 0) draw();
    },
    done() {
      if (started > 0) stream.write('\r\x1b[2K');
    },
  };
}
