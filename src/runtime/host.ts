// The runtime host for a run (this host, or the gateway's container under --exec) and its memoised probes.
import type { CheckContext } from '../check.js';
import type { Env } from '../config/settings.js';
import os from 'node:os';
import type { ContainerFacts, DirList, FileRead, HubCacheEntry, ResourceFacts, RuntimeHost, RuntimePlace, WriteAttempt } from './facts.js';
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

/** Whether an environment is the AI gateway's: it holds AIGW_* variables (the prefix of every gateway setting). */
export function isGatewayEnvironment(env: Env): boolean {
  return Object.keys(env).some((k) => k.startsWith('AIGW_') && env[k] !== undefined);
}

/** Where this run's runtime probes would run (no I/O beyond the host name): decides whether runtime checks judge at all. */
export function runtimePlace(ctx: CheckContext): RuntimePlace {
  const { exec, env } = ctx.settings;
  if (exec) return { kind: 'exec', prefix: exec };
  return { kind: isGatewayEnvironment(env) ? 'gateway-env' : 'elsewhere', hostname: os.hostname() };
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

/** The repository folder the hub cache keeps a model in: "Salesforce/codegen2-16B" → "models--Salesforce--codegen2-16B". */
export function hubRepoFolder(model: string): string {
  return `models--${model.split('/').join('--')}`;
}

/** Reads one model's entry in the hub cache where the gateway runs (refs/main, then that snapshot's files). Memoised. */
export async function hubCacheEntry(ctx: CheckContext, hubDir: string, model: string): Promise<HubCacheEntry> {
  const host = await runtimeHost(ctx);
  const repoDir = `${hubDir.replace(/\/+$/, '')}/${hubRepoFolder(model)}`;
  return ctx.memo(`runtime:hub:${repoDir}`, async (): Promise<HubCacheEntry> => {
    const ref: FileRead = await host.readFile(`${repoDir}/refs/main`);
    if (!ref.ok) return { repoDir, problem: `${repoDir}/refs/main: ${ref.message}` };
    const revision = ref.text.trim();
    const listing: DirList = await host.listDir(`${repoDir}/snapshots/${revision}`);
    if (!listing.ok) return { repoDir, revision, problem: `${repoDir}/snapshots/${revision}: ${listing.message}` };
    return { repoDir, revision, files: listing.entries };
  });
}

/** The gateway's container as it shows itself (through --exec); undefined on a host that is not a container. Memoised. */
export async function containerFacts(ctx: CheckContext): Promise<ContainerFacts | undefined> {
  const host = await runtimeHost(ctx);
  return host.container ? ctx.memo('runtime:container', () => host.container!()) : undefined;
}
