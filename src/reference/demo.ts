// `duo-doctor demo`: a scenario's installation on loopback, the suite run against it, everything closed after.
import type { Settings } from '../config/settings.js';
import { UsageError } from '../config/errors.js';
import { findScenario, SCENARIOS } from './scenarios.js';
import { startStack } from './stack.js';

/** What the demo runs. */
export interface DemoOptions {
  /** Scenario name (default `healthy`). */
  scenario?: string;
  /** The admin token to give the reference GitLab (the CLI passes GITLAB_TOKEN when set). */
  adminToken?: string;
  /** Check options from the command line, laid over the stack's settings (they win). */
  extraSettings?: Partial<Settings>;
}

/**
 * Starts the scenario's stack, runs the suite with settings pointing at it, closes the stack (also on error) and
 * returns the suite's exit code. An unknown scenario is a UsageError naming the valid ones.
 */
export async function runDemo(opts: DemoOptions, runSuite: (settings: Partial<Settings>) => Promise<number>): Promise<number> {
  const name = opts.scenario ?? 'healthy';
  const scenario = findScenario(name);
  if (!scenario) {
    throw new UsageError(`unknown scenario '${name}' (one of: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  const stack = await startStack(scenario, opts.adminToken ? { adminToken: opts.adminToken } : {});
  try {
    return await runSuite({ ...stack.settingsOverrides, ...opts.extraSettings });
  } finally {
    await stack.close();
  }
}
