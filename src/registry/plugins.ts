// Loads extra checks from plugin modules (--plugin F): each default-exports a check or an array of checks.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckDefinition } from '../check.js';
import { UsageError } from '../config/errors.js';
import { CATEGORIES, type Category } from '../model.js';
import { errorMessage } from '../error-message.js';

const ID = /^[a-z][a-z0-9-]*$/;

function validate(value: unknown, file: string): CheckDefinition {
  const c = value as Partial<CheckDefinition> | undefined;
  const problem =
    !c || typeof c !== 'object'
      ? 'does not export a check object'
      : typeof c.id !== 'string' || !ID.test(c.id)
        ? 'has a check without a valid id (lower-case letters, digits and dashes)'
        : typeof c.title !== 'string'
          ? `check ${c.id} has no title`
          : !CATEGORIES.includes(c.category as Category)
            ? `check ${c.id} has category ${String(c.category)} (expected one of ${CATEGORIES.join(', ')})`
            : typeof c.run !== 'function'
              ? `check ${c.id} has no run() function`
              : !c.explain || typeof c.explain.checks !== 'string'
                ? `check ${c.id} has no explain text ({checks, failsWhen, fix})`
                : undefined;
  if (problem) throw new UsageError(`--plugin ${file}: ${problem}`);
  const check = c as CheckDefinition;
  return { ...check, tags: check.tags ?? [] };
}

/** How long a plugin may take to load when the caller gives no bound (list, explain). */
export const PLUGIN_LOAD_TIMEOUT_MS = 10_000;

/** Imports a module, or rejects after `timeoutMs`: a top-level await that never settles must not hang (or silently end) the run. */
async function importWithin(file: string, timeoutMs: number): Promise<{ default?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`it did not finish loading within ${timeoutMs} ms (a top-level await that never settles?)`)),
      timeoutMs,
    );
  });
  try {
    return (await Promise.race([import(pathToFileURL(path.resolve(file)).href), late])) as { default?: unknown };
  } finally {
    clearTimeout(timer);
  }
}

/** Imports each plugin file (each within `timeoutMs`) and returns its checks. */
export async function loadPlugins(files: readonly string[], timeoutMs = PLUGIN_LOAD_TIMEOUT_MS): Promise<CheckDefinition[]> {
  const out: CheckDefinition[] = [];
  for (const file of files) {
    let mod: { default?: unknown };
    try {
      mod = await importWithin(file, timeoutMs);
    } catch (error) {
      const first = errorMessage(error).split('\n')[0];
      throw new UsageError(`--plugin ${file}: could not load it: ${first}`);
    }
    const exported = mod.default;
    for (const c of Array.isArray(exported) ? exported : [exported]) out.push(validate(c, file));
  }
  return out;
}

/** The built-in registry plus plugins; a duplicate id is a usage error. Unknown dependencies too. */
export function mergeRegistry(builtIn: readonly CheckDefinition[], plugins: readonly CheckDefinition[]): CheckDefinition[] {
  const all = [...builtIn, ...plugins];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new UsageError(`two checks have the id ${c.id}: rename the plugin's check`);
    seen.add(c.id);
  }
  for (const c of plugins) {
    const missing = (c.dependsOn ?? []).find((d) => !seen.has(d));
    if (missing) throw new UsageError(`check ${c.id} depends on ${missing}, which no check provides`);
  }
  return all;
}

/** The full registry for a run. */
export async function loadRegistry(pluginFiles: readonly string[], timeoutMs = PLUGIN_LOAD_TIMEOUT_MS): Promise<CheckDefinition[]> {
  const { CHECKS } = await import('../../checks/index.js');
  return mergeRegistry(CHECKS, pluginFiles.length ? await loadPlugins(pluginFiles, timeoutMs) : []);
}
