// The runtime host for a run (this host, or the gateway's container under --exec) and its memoised probes.
import type { CheckContext } from '../check.js';
import type { Env } from '../config/settings.js';
import type { ResourceFacts, RuntimeHost, WriteAttempt } from './facts.js';
import { localHost } from './local-host.js';

/** The host runtime probes run on; one per run. */
export function runtimeHost(ctx: CheckContext): Promise<RuntimeHost> {
  return ctx.memo('runtime:host', async () => {
    if (ctx.settings.exec) {
      const { execHost } = await import('./exec-host.js');
      return execHost(ctx.settings.exec, ctx.settings.timeoutMs);
    }
    return localHost(ctx.settings.env, ctx.settings.timeoutMs);
  });
}

/** The gateway's environment: the container's under --exec, else this process's. */
export async function gatewayEnv(ctx: CheckContext): Promise<Env> {
  const host = await runtimeHost(ctx);
  return ctx.memo('runtime:env', () => host.env());
}

/** One write attempt per directory per run. */
export async function writeAttempt(ctx: CheckContext, dir: string): Promise<WriteAttempt> {
  const host = await runtimeHost(ctx);
  return ctx.memo(`runtime:write:${dir}`, () => host.writeAttempt(dir));
}

/** The gateway's HF_HOME: --hf-home wins; else the gateway's own environment; else the image's default. */
export async function hfHomeDir(ctx: CheckContext): Promise<{ dir: string; source: string }> {
  const { hfHome, hfHomeSource } = ctx.settings;
  if (hfHomeSource === 'flag' || hfHomeSource === 'config') return { dir: hfHome, source: hfHomeSource === 'flag' ? '--hf-home' : 'the config file' };
  const env = await gatewayEnv(ctx);
  if (env.HF_HOME) return { dir: env.HF_HOME, source: 'HF_HOME' };
  return { dir: hfHome, source: 'the image default (HF_HOME unset)' };
}

export async function resources(ctx: CheckContext, dirs: readonly string[]): Promise<ResourceFacts> {
  const host = await runtimeHost(ctx);
  return ctx.memo(`runtime:resources:${dirs.join('\0')}`, () => host.resources(dirs));
}
