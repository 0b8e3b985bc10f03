// gateway-empty-variables: AIGW_* variables set to "" where the gateway runs. pydantic-settings reads an empty variable as
// the value "" rather than falling back to the default (ai-gateway ai_gateway/config.py `Config`, env_prefix AIGW_, no
// env_ignore_empty; 95a8d76dd) — e.g. a Helm chart's AIGW_CUSTOMER_PORTAL_URL="" gives the CustomersDot OIDC provider
// (ai_gateway/api/server.py `create_fast_api_server`) an empty URL, and its discovery fails "No scheme supplied".
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import type { GatewayPlace, NotTheGateway } from '../src/runtime/facts.js';
import { gatewayEnv, runtimePlace } from '../src/runtime/host.js';

/** Where the gateway's environment was read and the AIGW_* names it sets to blank (names only: values can be secrets). */
export type Facts = { place: NotTheGateway } | { place: GatewayPlace; aigw: number; empty: string[] };

const UNSET = (names: string[]) =>
  `Remove ${names.join(', ')} from the gateway's environment (docker run -e, the Helm values, the env file) so the default applies, ` +
  'or give each a real value, then restart the gateway.';

export const messages = {
  notTheGateway,
  noGatewayEnv: {
    status: 'skip',
    text: (d: { where: string }) => `no AIGW_* variable in the environment read (${d.where}): not the gateway's environment`,
  },
  emptyUrls: {
    status: 'fail',
    text: (d: { names: string[] }) =>
      `${d.names.join(', ')} ${d.names.length === 1 ? 'is' : 'are'} set but empty: the gateway uses "" as the URL instead of its default ` +
      '(AIGW_CUSTOMER_PORTAL_URL="" breaks OIDC discovery: "No scheme supplied")',
    fix: (d: { names: string[] }) => UNSET(d.names),
  },
  emptyOthers: {
    status: 'warn',
    text: (d: { names: string[] }) =>
      `${d.names.join(', ')} ${d.names.length === 1 ? 'is' : 'are'} set but empty: the gateway reads "" (or fails to parse it), not the default`,
    fix: (d: { names: string[] }) => UNSET(d.names),
  },
  noneEmpty: { status: 'pass', text: (d: { aigw: number }) => `none of the gateway's ${d.aigw} AIGW_* variables is empty` },
} satisfies Messages;

/** A URL setting: its name ends in _URL (AIGW_GITLAB_URL, AIGW_CUSTOMER_PORTAL_URL, AIGW_GLGO_BASE_URL, ...). */
const isUrl = (name: string) => /_URL$/.test(name);

export function judge(f: Facts): Judgement<typeof messages> {
  if (!('empty' in f)) return { findings: [notTheGatewayFinding(f.place.hostname, 'reading the environment')] };
  const where = placeLabel(f.place);
  if (f.aigw === 0) return { findings: [{ id: 'noGatewayEnv', data: { where } }] };
  const urls = f.empty.filter(isUrl);
  const others = f.empty.filter((n) => !isUrl(n));
  const findings: Judgement<typeof messages>['findings'] = [];
  if (urls.length) findings.push({ id: 'emptyUrls', data: { names: urls } });
  if (others.length) findings.push({ id: 'emptyOthers', data: { names: others } });
  if (!findings.length) findings.push({ id: 'noneEmpty', data: { aigw: f.aigw } });
  return { findings, details: [`Read ${where}.`], evidence: { aigw: f.aigw, empty: f.empty } };
}

export default defineCheck({
  id: 'gateway-empty-variables',
  title: 'No AIGW_* variable of the gateway is set but empty',
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      "Lists the AIGW_* variables of the gateway's environment (inside its container with --exec, or this host when its environment is " +
      "the gateway's) whose value is empty or blank. Names only are reported; values are never read into the report.",
    failsWhen:
      'A URL setting (…_URL) is set to "": pydantic-settings takes "" over the default, so e.g. AIGW_CUSTOMER_PORTAL_URL="" breaks OIDC ' +
      'discovery ("No scheme supplied") — fail; any other AIGW_* set to "" — warn.',
    fix: 'Remove the empty variables (Helm values often ship them as "") so the defaults apply, or set them, and restart the gateway.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    if (place.kind === 'elsewhere') return { place };
    const env = await gatewayEnv(ctx);
    const names = Object.keys(env)
      .filter((k) => k.startsWith('AIGW_'))
      .sort();
    return { place, aigw: names.length, empty: names.filter((k) => (env[k] ?? '').trim() === '') };
  },
  // Stryker restore all
  judge,
});
