// A fleet: one config file with N targets, each its own installation entry and its own GitLab token (the reference
// GitLab accepts them all), run by the installed CLI in one process.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stack } from '../src/reference/scenarios.js';
import { flagArgs, targetFlags } from './target.js';

/** Tokens for `count` targets, to start the stack with (`otherAdminTokens`). */
export function fleetTokens(count: number): string[] {
  return Array.from({ length: count }, () => `glpat-${randomBytes(15).toString('hex')}`);
}

/** A config file with `tokens.length` targets on `stack`; returns the CLI's arguments and environment, and a cleanup. */
export async function fleetConfig(
  stack: Stack,
  tokens: readonly string[],
): Promise<{ args: string[]; env: Record<string, string>; remove(): Promise<void> }> {
  const { flags, env } = targetFlags(stack);
  const { gitlabUrl, gatewayUrl, caFile, ...common } = flags;
  const dir = await mkdtemp(path.join(tmpdir(), 'duo-bench-fleet-'));
  const targets = tokens.map((_, i) => ({
    name: `site-${i + 1}`,
    tokenEnv: `FLEET_TOKEN_${i + 1}`,
    ...(gitlabUrl ? { gitlabUrl } : {}),
    ...(gatewayUrl ? { gatewayUrl } : {}),
    ...(caFile ? { caFile } : {}),
  }));
  const file = path.join(dir, 'fleet.json');
  await writeFile(file, JSON.stringify({ targets }));
  const { GITLAB_TOKEN: _shared, ...rest } = env;
  const tokenEnv = Object.fromEntries(tokens.map((t, i) => [`FLEET_TOKEN_${i + 1}`, t]));
  const commonArgs = flagArgs(common);
  return { args: ['--config', file, ...commonArgs], env: { ...rest, ...tokenEnv }, remove: () => rm(dir, { recursive: true, force: true }) };
}
