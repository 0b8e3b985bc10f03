// Loader hook for tests (`node --import` this file): appends every module URL Node resolves to $DUO_DOCTOR_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

// Loaded once by --import on the main thread (which registers it), and again as the hooks module on the hooks thread.
if (isMainThread) register(import.meta.url);

/** Records the resolved URL; resolution itself is left to Node. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.DUO_DOCTOR_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
