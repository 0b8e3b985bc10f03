// gateway-empty-variables: its judge over tables of facts (finding ids), and its gather over a gateway environment.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-empty-variables.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const here = { kind: 'gateway-env' as const, hostname: 'gw' };
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-empty-variables judge', () => {
  it.each<[string, Facts, string[]]>([
    ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' } }, ['notTheGateway']],
    ['no AIGW_* read', { place: { kind: 'exec', prefix: 'docker exec gw' }, aigw: 0, empty: [] }, ['noGatewayEnv']],
    ['none empty', { place: here, aigw: 3, empty: [] }, ['noneEmpty']],
    ['the customer portal URL empty', { place: here, aigw: 3, empty: ['AIGW_CUSTOMER_PORTAL_URL'] }, ['emptyUrls']],
    ['a non-URL empty', { place: here, aigw: 3, empty: ['AIGW_BILLING_EVENT__ENDPOINT_TOKEN'] }, ['emptyOthers']],
    [
      'both kinds',
      { place: here, aigw: 5, empty: ['AIGW_GITLAB_URL', 'AIGW_LOGGING__LEVEL', 'AIGW_CUSTOMER_PORTAL_URL'] },
      ['emptyUrls', 'emptyOthers'],
    ],
  ])('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));
});

describe('gateway-empty-variables gather', () => {
  it.each<[Record<string, string>, string[], string[]]>([
    [{ AIGW_GITLAB_URL: 'https://gitlab.example.com', AIGW_CUSTOMER_PORTAL_URL: '' }, ['emptyUrls'], ['AIGW_CUSTOMER_PORTAL_URL']],
    [{ AIGW_GITLAB_URL: 'https://gitlab.example.com', AIGW_LOGGING__LEVEL: '   ' }, ['emptyOthers'], ['AIGW_LOGGING__LEVEL']],
    [{ AIGW_GITLAB_URL: 'https://gitlab.example.com', OTHER: '' }, ['noneEmpty'], []],
  ])('%j → %j', async (env, expected, empty) => {
    const outcome = await check.run(makeContext({ env }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(expected);
    expect(outcome.evidence).toMatchObject({ empty });
  });
});

describe('gateway-empty-variables renderings (every message, pinned in __renderings__/gateway-empty-variables.txt)', () => {
  const exec = { kind: 'exec' as const, prefix: 'docker exec gw' };
  const cases: RenderCase<Facts>[] = [
    { name: 'not the gateway', facts: { place: { kind: 'elsewhere', hostname: 'laptop' } } },
    { name: 'no AIGW_* variable, read through --exec', facts: { place: exec, aigw: 0, empty: [] } },
    { name: 'one variable, none empty', facts: { place: here, aigw: 1, empty: [] } },
    { name: 'one URL empty', facts: { place: here, aigw: 3, empty: ['AIGW_CUSTOMER_PORTAL_URL'] } },
    { name: 'two URLs empty', facts: { place: exec, aigw: 4, empty: ['AIGW_GITLAB_URL', 'AIGW_GITLAB_API_URL'] } },
    { name: 'one other empty', facts: { place: here, aigw: 3, empty: ['AIGW_LOGGING__LEVEL'] } },
    { name: 'a name with _URL inside, not at its end', facts: { place: here, aigw: 3, empty: ['AIGW_URL_PREFIX', 'AIGW_LOGGING__LEVEL'] } },
    { name: 'URLs and others empty', facts: { place: here, aigw: 5, empty: ['AIGW_GITLAB_URL', 'AIGW_LOGGING__LEVEL', 'AIGW_CUSTOMER_PORTAL_URL'] } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
