// `duo-doctor demo`: a scenario's reference installation on loopback, the suite run against it, everything stopped after.
import { UsageError } from '../../config/errors.js';
import { loadSettings, type CheckFlags } from '../../config/load.js';
import { listScenarios } from '../../reference/scenarios.js';
import { runDemo } from '../../reference/demo.js';
import { runSuite } from './check.js';

export interface DemoFlags extends CheckFlags {
  scenario?: string;
  listScenarios?: boolean;
  latency?: string;
}

/** Flags that name a target: the demo brings its own, so giving one is a mistake worth saying. */
const TARGET_FLAGS = ['gitlabUrl', 'gatewayUrl', 'caFile', 'gitlabTokenFile', 'exec'] as const;

export async function demoCommand(flags: DemoFlags): Promise<number> {
  if (flags.listScenarios) {
    process.stdout.write(`${listScenarios().join('\n')}\n`);
    return 0;
  }
  const given = TARGET_FLAGS.find((k) => flags[k] !== undefined);
  if (given) throw new UsageError(`demo starts its own GitLab and gateway: --${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} belongs to 'duo-doctor check'`);
  // Settings from the flags (format, selection, timeouts...) with the demo stack's targets laid over them.
  const base = await loadSettings(flags, process.env);
  return runDemo(
    { ...(flags.scenario ? { scenario: flags.scenario } : {}), ...(process.env.GITLAB_TOKEN ? { adminToken: process.env.GITLAB_TOKEN } : {}) },
    async (stack) => (await runSuite({ ...base, ...stack, ...(flags.hfHome ? { hfHome: base.hfHome, hfHomeSource: base.hfHomeSource } : {}), ...(flags.tmpDir ? { tmpDir: base.tmpDir } : {}) })).code,
  );
}
