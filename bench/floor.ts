// The physical floor of a suite run under added latency: the longest dependency chain, each check weighted by its own
// sequential exchanges, derived from the real registry and measured runs rather than written down by hand.
import type { CheckDefinition } from '../src/check.js';
import type { Settings } from '../src/config/settings.js';
import { runChecks } from '../src/runner/run.js';

/** One check's share of the chain. */
export interface CheckHops {
  id: string;
  /** Its own run time with its dependencies already done (their probes memoised, as in a full run). */
  ms: number;
  /** Sequential exchanges: ms ÷ latency, rounded. */
  hops: number;
}

/** The floor and the chain that sets it. */
export interface Floor {
  hops: number;
  ms: number;
  /** The heaviest chain, dependencies first. */
  chain: CheckHops[];
}

/** Runs at most `limit` of the tasks at once. */
async function pooled<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/**
 * Each check's own run time: `--only <id>` (which pulls in its dependencies, run first) against a running stack, in
 * this process. A first, untimed pass warms what a process pays once (module loading, trust stores) and the gateway's
 * cache of GitLab's keys, so a check is not charged for being first.
 */
export async function measureOwnTimes(registry: readonly CheckDefinition[], settings: Settings): Promise<Map<string, number>> {
  const pass = () =>
    // A few at a time: quick, and few enough that local work stays small beside an added latency.
    pooled(
      registry.map((check) => async (): Promise<[string, number]> => {
        const run = await runChecks(registry, { ...settings, only: [check.id] });
        return [check.id, run.results.find((r) => r.id === check.id)?.durationMs ?? 0];
      }),
      4,
    );
  await pass();
  return new Map(await pass());
}

/** Hop counts from own run times under `latencyMs` added to every response (an exchange GitLab relays to the gateway makes two). */
export function hopsOf(ownTimes: Map<string, number>, latencyMs: number): Map<string, CheckHops> {
  return new Map([...ownTimes].map(([id, ms]) => [id, { id, ms, hops: Math.round(ms / latencyMs) }]));
}

/** The longest chain through `dependsOn` (a check starts when all its dependencies are done), weighted by hops. */
export function longestChain(registry: readonly CheckDefinition[], perCheck: Map<string, CheckHops>, latencyMs: number): Floor {
  const byId = new Map(registry.map((c) => [c.id, c]));
  const best = new Map<string, { hops: number; chain: CheckHops[] }>();
  const visit = (id: string): { hops: number; chain: CheckHops[] } => {
    const known = best.get(id);
    if (known) return known;
    const own = perCheck.get(id) ?? { id, ms: 0, hops: 0 };
    let before: { hops: number; chain: CheckHops[] } = { hops: 0, chain: [] };
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      const d = visit(dep);
      if (d.hops > before.hops) before = d;
    }
    const result = { hops: before.hops + own.hops, chain: [...before.chain, own] };
    best.set(id, result);
    return result;
  };
  let top: { hops: number; chain: CheckHops[] } = { hops: 0, chain: [] };
  for (const c of registry) {
    const r = visit(c.id);
    if (r.hops > top.hops) top = r;
  }
  return { hops: top.hops, ms: top.hops * latencyMs, chain: top.chain };
}
