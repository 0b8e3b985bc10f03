// `duo-doctor gitlab --models FILE`: self-hosted models as GitLab lists them (GraphQL aiSelfHostedModels nodes: name,
// model, endpoint, identifier, hasApiToken, releaseState), so any model configuration can be reproduced.
import { readFileSync } from 'node:fs';
import { UsageError } from '../../config/errors.js';
import type { SelfHostedModel } from './config.js';

const RELEASE_STATES = ['GA', 'BETA', 'EXPERIMENTAL'] as const;

/** The node list of a models file: a bare array, `{ nodes }`, `{ aiSelfHostedModels: { nodes } }` or a whole GraphQL answer. */
function nodesOf(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  const v = value as { nodes?: unknown; aiSelfHostedModels?: unknown; data?: unknown } | null;
  if (v && typeof v === 'object') {
    if ('nodes' in v) return v.nodes;
    if ('aiSelfHostedModels' in v) return nodesOf(v.aiSelfHostedModels);
    if ('data' in v) return nodesOf(v.data);
  }
  return undefined;
}

/** One node as a SelfHostedModel; throws a UsageError naming the node and the field. */
function modelOf(node: unknown, i: number, file: string): SelfHostedModel {
  const n = (node ?? {}) as Record<string, unknown>;
  const text = (field: string, required: boolean) => {
    const v = n[field];
    if (v === undefined || v === null) {
      if (required) throw new UsageError(`--models ${file}: model ${i + 1} has no "${field}"`);
      return undefined;
    }
    if (typeof v !== 'string') throw new UsageError(`--models ${file}: model ${i + 1}'s "${field}" is not a string`);
    return v;
  };
  const releaseState = text('releaseState', false);
  if (releaseState !== undefined && !(RELEASE_STATES as readonly string[]).includes(releaseState)) {
    throw new UsageError(`--models ${file}: model ${i + 1}'s releaseState "${releaseState}" is not one of ${RELEASE_STATES.join(', ')}`);
  }
  const identifier = text('identifier', false);
  return {
    name: text('name', true)!,
    model: text('model', true)!,
    endpoint: text('endpoint', false) ?? '',
    ...(identifier ? { identifier } : {}),
    ...(n.hasApiToken === true ? { hasApiToken: true } : {}),
    ...(releaseState ? { releaseState: releaseState as SelfHostedModel['releaseState'] } : {}),
  };
}

/** Parses a models file's text; throws a UsageError saying what is wrong. */
export function parseModels(text: string, file: string): SelfHostedModel[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--models ${file}: not JSON (${(e as Error).message})`);
  }
  const nodes = nodesOf(value);
  if (!Array.isArray(nodes)) throw new UsageError(`--models ${file}: expected a list of models (or GitLab's { aiSelfHostedModels: { nodes } })`);
  return nodes.map((n, i) => modelOf(n, i, file));
}

/** Reads and parses a models file. */
export function readModelsFile(file: string): SelfHostedModel[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--models ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseModels(text, file);
}
