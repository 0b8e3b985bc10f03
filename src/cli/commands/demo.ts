// `duo-doctor demo`: a scenario's reference installation on loopback, the suite run against it, everything stopped after
// — also on Ctrl-C, which aborts the run so the stack (and its temporary CA bundle) is removed before the process ends.
import { loadRun, type CheckFlags } from '../../config/load.js';
import { oneOf } from '../../config/parse.js';
import { SCENARIOS, listScenarios } from '../../reference/scenarios.js';
import { runDemo } from '../../reference/demo.js';
import { RunAborted } from '../../runner/run.js';
import { printNotes, runSuite } from './check.js';

export interface DemoFlags extends CheckFlags {
  scenario?: string;
  listScenarios?: boolean;
}

/** The exit code of a run interrupted by a signal (128 + its number, as shells report it). */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Whether the user set an option for the demo (the environment's HF_HOME belongs to this machine, not to the demo). */
const given = (source: string | undefined) => source === 'flag' || source === 'config';

function printScenarios(format: string | undefined): void {
  if (oneOf(['text', 'json'] as const)(format ?? 'text', { where: '--format', note: () => undefined }) === 'json') {
    const rows = SCENARIOS.map((s) => ({ name: s.name, description: s.description, expectedFailures: s.expectedFailures }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else process.stdout.write(`${listScenarios().join('\n')}\n`);
}

export async function demoCommand(flags: DemoFlags): Promise<number> {
  if (flags.listScenarios) {
    printScenarios(flags.format);
    return 0;
  }
  // Settings from the flags (format, selection, timeouts...) with the demo stack's targets laid over them.
  const { settings: base, notes, sources } = await loadRun(flags, process.env, 'demo');
  printNotes(notes);
  const interrupt = new AbortController();
  let signalled: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => () => {
    signalled = name;
    interrupt.abort(new RunAborted(`interrupted (${name})`));
  };
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  process.once('SIGINT', handlers.SIGINT);
  process.once('SIGTERM', handlers.SIGTERM);
  try {
    const code = await runDemo(
      { ...(flags.scenario ? { scenario: flags.scenario } : {}), ...(process.env.GITLAB_TOKEN ? { adminToken: process.env.GITLAB_TOKEN } : {}) },
      async (stack) => {
        // An interrupt while the stack was starting: stop now, and runDemo closes the stack.
        if (interrupt.signal.aborted) return 1;
        const local = {
          ...(given(sources.hfHome) ? { hfHome: base.hfHome, hfHomeSource: base.hfHomeSource } : {}),
          ...(given(sources.tmpDir) ? { tmpDir: base.tmpDir } : {}),
        };
        return (await runSuite({ ...base, ...stack, ...local }, interrupt.signal)).code;
      },
    );
    return signalled ? SIGNAL_EXIT[signalled] : code;
  } finally {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  }
}
