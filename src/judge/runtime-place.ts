// Where the runtime checks would probe, and the finding that says "not here" with how to run them where the gateway runs.
import type { Message } from '../check.js';
import type { GatewayPlace } from '../runtime/facts.js';

/** How to run a check where the gateway runs: the lines every "not here" finding carries in its details. */
export const RUN_WHERE_THE_GATEWAY_RUNS: readonly string[] = [
  'To judge the gateway, run duo-doctor where it runs:',
  '  Docker:     duo-doctor check --exec "docker exec <container>"',
  '  Kubernetes: duo-doctor check --exec "kubectl exec -n <namespace> deploy/<gateway-deployment> --" (OpenShift: oc exec)',
  "  or on the gateway's host, with the gateway's environment (its AIGW_* variables) exported.",
];

/** The skip a runtime check reports when this host is not the gateway's: it judges nothing here and creates nothing. */
export const notTheGateway: Message<{ hostname: string; what: string }> = {
  status: 'skip',
  text: (d) =>
    `not judged: this host (${d.hostname}) is not where the gateway runs (no --exec, no AIGW_* variable in its environment), and ${d.what} here would say nothing about the gateway`,
};

/** The notTheGateway finding, with how to run the check where the gateway runs. */
export function notTheGatewayFinding(hostname: string, what: string) {
  return { id: 'notTheGateway' as const, data: { hostname, what }, details: [...RUN_WHERE_THE_GATEWAY_RUNS] };
}

/** "inside: docker exec gitlab-aigw" or "this host (name), the gateway's environment": where a runtime verdict was measured. */
export function placeLabel(place: GatewayPlace): string {
  return place.kind === 'exec' ? `inside: ${place.prefix}` : `this host (${place.hostname}), whose environment is the gateway's`;
}
