// A live one-line progress indicator on stderr (TTY only): "running 5/23: gateway-health".
import type { CheckDefinition } from '../check.js';
import type { RunObserver } from '../runner/run.js';

export function progressObserver(stream: NodeJS.WriteStream): RunObserver & { done(): void } {
  let started = 0;
  let finished = 0;
  const running = new Set<string>();
  const draw = () => {
    const names = [...running].slice(0, 3).join(', ');
    stream.write(`\r\x1b[2K${finished} done, ${running.size} running${names ? `: ${names}` : ''}`);
  };
  return {
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
