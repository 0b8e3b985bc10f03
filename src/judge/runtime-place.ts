// Where the runtime checks would probe, and the finding that says "not here" with how to run them where the gateway runs.
import type { Message } from '../check.js';
import type { GatewayPlace } from '../runtime/facts.js';

/** How to run a runtime check where the gateway runs: the sentence every "not here" finding ends with. */
export const RUN_WHERE_THE_GATEWAY_RUNS =
  'Run it where the gateway runs: duo-doctor check --exec "docker exec <container>" (Docker), ' +
  '--exec "kubectl exec -n <namespace> deploy/<gateway-deployment> --" (Kubernetes; oc exec on OpenShift), ' +
  "or on the gateway's host with the gateway's environment (its AIGW_* variables) exported.";

/** The skip a runtime check reports when this host is not the gateway's: it judges nothing here and creates nothing. */
export const notTheGateway: Message<{ hostname: string; what: string }> = {
  status: 'skip',
  text: (d) =>
    `not judged on this host (${d.hostname}): it is not where the gateway runs (no --exec, and no AIGW_* variable in its environment), ` +
    `so ${d.what} here would say nothing about the gateway. ${RUN_WHERE_THE_GATEWAY_RUNS}`,
};

/** "inside: docker exec gitlab-aigw" or "this host (name), the gateway's environment": where a runtime verdict was measured. */
export function placeLabel(place: GatewayPlace): string {
  return place.kind === 'exec' ? `inside: ${place.prefix}` : `this host (${place.hostname}), whose environment is the gateway's`;
}
