// runtime-host: where the runtime probes run (the gateway's container through --exec, or this host), and whether that is the gateway's place.
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { errorMessage } from '../src/error-message.js';
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../src/judge/runtime-place.js';
import type { RuntimePlace } from '../src/runtime/facts.js';
import { gatewayEnv, runtimeHost, runtimePlace } from '../src/runtime/host.js';

export const messages = {
  exec: { status: 'pass', text: (d: { prefix: string }) => `runtime probes run inside: ${d.prefix}` },
  gatewayEnvironment: {
    status: 'pass',
    text: (d: { hostname: string; variables: string[] }) =>
      `runtime probes run on this host (${d.hostname}), whose environment is the gateway's (${d.variables.join(', ')})`,
  },
  elsewhere: {
    status: 'pass',
    text: (d: { hostname: string }) =>
      `this host (${d.hostname}) is not where the gateway runs (no --exec, no AIGW_* variable in its environment): the runtime checks ` +
      '(tmp-writable, hf-home-writable, resources) skip rather than judge it',
  },
  prefixBroken: {
    status: 'fail',
    text: (d: { error: string }) => d.error,
    fix:
      'Check the --exec prefix by hand, e.g. `docker exec gitlab-aigw sh -c "echo ok"` or `kubectl exec -n ai-gateway deploy/ai-gateway -- sh -c "echo ok"`, ' +
      'and fix what it says: the container name (docker ps), the kubectl context and namespace, the pod name, or an image without sh.',
  },
} satisfies Messages;

/** Where the probes run; `variables` are the AIGW_* names seen there; `error` is why an --exec prefix could not run sh. */
export interface Facts {
  place: RuntimePlace;
  variables?: string[];
  error?: string;
}

export function judge(facts: Facts): Judgement<typeof messages> {
  const { place } = facts;
  if (facts.error !== undefined) return { findings: [{ id: 'prefixBroken', data: { error: facts.error } }] };
  const evidence = { place };
  if (place.kind === 'exec') return { findings: [{ id: 'exec', data: { prefix: place.prefix } }], evidence };
  if (place.kind === 'elsewhere')
    return { findings: [{ id: 'elsewhere', data: { hostname: place.hostname }, details: [...RUN_WHERE_THE_GATEWAY_RUNS] }], evidence };
  return { findings: [{ id: 'gatewayEnvironment', data: { hostname: place.hostname, variables: facts.variables ?? [] } }], evidence };
}

export default defineCheck({
  id: 'runtime-host',
  title: 'Where the runtime probes run, and whether it is where the gateway runs',
  category: 'runtime',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'With --exec PREFIX, runs `PREFIX sh -c ...` once to prove the prefix reaches a POSIX shell (docker exec, kubectl exec, oc exec, ...), ' +
      'so a broken prefix is one clear failure instead of one per runtime check. Without --exec, says whether this host is where the gateway ' +
      "runs — its environment holds the gateway's AIGW_* variables — and if not, that the runtime checks skip rather than judge it.",
    failsWhen: 'The prefix cannot run: the container does not exist, kubectl/oc is not configured or not installed, or the image has no sh.',
    fix: 'Run the prefix by hand (e.g. `docker exec gitlab-aigw sh -c "echo ok"`) and fix what it says: the container name (docker ps), the kubectl context and namespace, or the pod name.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    try {
      await runtimeHost(ctx);
    } catch (error) {
      return { place, error: errorMessage(error) };
    }
    if (place.kind !== 'gateway-env') return { place };
    return {
      place,
      variables: Object.keys(await gatewayEnv(ctx))
        .filter((k) => k.startsWith('AIGW_'))
        .sort(),
    };
  },
  // Stryker restore all
  judge,
});
