// Points the installed CLI at a running reference stack: the stack's settings as the flags and environment a user would give.
import type { Settings } from '../src/config/settings.js';
import type { Stack } from '../src/reference/scenarios.js';

/** What `duo-doctor check` needs to target a stack. */
export interface CliTarget {
  args: string[];
  env: Record<string, string>;
}

/** Settings the CLI takes as flags. */
const FLAGS = {
  gitlabUrl: '--gitlab-url',
  gatewayUrl: '--gateway-url',
  caFile: '--ca-file',
  tmpDir: '--tmp-dir',
  gatewayVersion: '--gateway-version',
} as const satisfies Partial<Record<keyof Settings, string>>;

/**
 * The flags and environment equivalent to `stack.settingsOverrides`. Throws on a setting it cannot translate, so a new
 * stack setting cannot silently drop out of the benchmarked run.
 */
export function cliTarget(stack: Stack): CliTarget {
  const { flags, env } = targetFlags(stack);
  return { args: Object.entries(flags).flatMap(([key, value]) => [FLAGS[key as keyof typeof FLAGS], value]), env };
}

/** The same as the CLI's parsed flags (what `loadSettings` takes), for a program that starts the suite itself. */
export function targetFlags(stack: Stack): { flags: Partial<Record<keyof typeof FLAGS, string>>; env: Record<string, string> } {
  const flags: Partial<Record<keyof typeof FLAGS, string>> = {};
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(stack.settingsOverrides)) {
    // gatewayDirectPorts is the stack's own port pinning, no flag: the CLI probes its defaults (on loopback here).
    if (value === undefined || key === 'gatewayUrlSource' || key === 'gatewayDirectPorts') continue;
    if (key === 'gitlabToken') env.GITLAB_TOKEN = String(value);
    else if (key === 'env') Object.assign(env, value);
    else if (key in FLAGS) flags[key as keyof typeof FLAGS] = String(value);
    else throw new Error(`bench: cannot pass the stack setting ${key} to the CLI`);
  }
  return { flags, env };
}
