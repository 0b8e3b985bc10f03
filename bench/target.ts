// Points the installed CLI at a running reference stack: the stack's settings as the flags and environment a user would give.
import net from 'node:net';
import { DEFAULT_DIRECT_PORTS } from '../checks/gateway-exposure.js';
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
  deep: '--deep',
  deepSeconds: '--deep-seconds',
  exec: '--exec',
} as const satisfies Partial<Record<keyof Settings, string>>;

/** A flag's value: a string, or `true` for a switch (`--deep`), which takes none. */
type FlagValue = string | true;

/** `{ deep: true, tmpDir: '/x' }` → `['--deep', '--tmp-dir', '/x']`. */
export function flagArgs(flags: Partial<Record<keyof typeof FLAGS, FlagValue>>): string[] {
  return Object.entries(flags).flatMap(([key, value]) => [FLAGS[key as keyof typeof FLAGS], ...(value === true ? [] : [value])]);
}

/**
 * The flags and environment equivalent to `stack.settingsOverrides`. Throws on a setting it cannot translate, so a new
 * stack setting cannot silently drop out of the benchmarked run.
 */
export function cliTarget(stack: Stack): CliTarget {
  const { flags, env } = targetFlags(stack);
  return { args: flagArgs(flags), env };
}

/** The same as the CLI's parsed flags (what `loadSettings` takes), for a program that starts the suite itself. */
export function targetFlags(stack: Stack): { flags: Partial<Record<keyof typeof FLAGS, FlagValue>>; env: Record<string, string> } {
  const flags: Partial<Record<keyof typeof FLAGS, FlagValue>> = {};
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(stack.settingsOverrides)) {
    // gatewayDirectPorts (a closed port the stack pins) has no flag: the CLI probes the defaults, 5052 and 50052, on the
    // stack's host (loopback), closed as the stack's is — `directPortsClosed` makes sure before the bench runs.
    if (value === undefined || key === 'gatewayUrlSource' || key === 'gatewayDirectPorts') continue;
    if (key === 'gitlabToken') env.GITLAB_TOKEN = String(value);
    else if (key === 'env') Object.assign(env, value);
    else if (key in FLAGS) flags[key as keyof typeof FLAGS] = value === true ? true : String(value);
    else throw new Error(`bench: cannot pass the stack setting ${key} to the CLI`);
  }
  return { flags, env };
}

/**
 * Throws when something listens on 127.0.0.1 at the gateway's default direct ports: the benchmarked CLI would probe that
 * server (gateway-exposure) instead of the closed port the stack pins, and the figures would time someone else's server.
 */
export async function directPortsClosed(): Promise<void> {
  for (const port of DEFAULT_DIRECT_PORTS) {
    const socket = net.connect({ host: '127.0.0.1', port });
    const open = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
      socket.setTimeout(2000, () => resolve(true));
    });
    socket.destroy();
    if (open)
      throw new Error(
        `bench: something listens on 127.0.0.1:${port}, a port gateway-exposure probes in every benchmarked run (the CLI has no flag for the stack's closed port): stop it first`,
      );
  }
}
