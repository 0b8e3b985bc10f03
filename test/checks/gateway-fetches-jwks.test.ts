// gateway-fetches-jwks: its judge over Python's runs as gather reports them (discovery, then the key set): each failing
// step's finding, the fix for each HTTP status and timeout budget, and the renderings of every message.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-fetches-jwks.js';
import { renderJudgement } from '../../src/check.js';
import type { GatewayViewResult } from '../../src/runtime/gateway-view.js';
import type { ProbeError } from '../../src/runtime/python-probe.js';
import { DISCOVERY, ERRORS, JWKS, NO_VIEW, answered, failed, ran, view } from '../helpers/gateway-view.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const at = (result: GatewayViewResult, gatewayHasOwnKeys?: boolean): Facts => ({
  result,
  ...(gatewayHasOwnKeys === undefined ? {} : { gatewayHasOwnKeys }),
});
const http = (status: number, message = `HTTP ${status}`): ProbeError => ({ kind: 'http', type: 'HTTPError', message });
/** Discovery fails with `error` (and `status`, for an HTTP answer). */
const atDiscovery = (error: ProbeError, status?: number, perRequestS = 10) =>
  ran(view({ discovery: failed(DISCOVERY, error, status === undefined ? {} : { status }), jwks: undefined, jwksUri: undefined }), perRequestS);
/** The key set fails with `error`. */
const atKeySet = (error: ProbeError, status?: number) => ran(view({ jwks: failed(JWKS, error, status === undefined ? {} : { status }) }));
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-fetches-jwks renderings', () => {
  const cases: RenderCase<Facts>[] = [
    ...NO_VIEW.map(({ name, result }) => ({ name, facts: at(result) })),
    { name: 'fetched 3 keys', facts: at(ran(view()), false) },
    { name: 'fetched 1 key, no kids', facts: at(ran(view({ jwks: { ...answered(JWKS), keys: 1 } }))) },
    {
      name: 'fetched through a proxy, redirected',
      facts: at(ran(view({ proxy: 'http://u:p@proxy:3128', discovery: answered(DISCOVERY, { finalUrl: 'https://gitlab.example.com/-/oidc' }) }))),
    },
    { name: 'no discovery step', facts: at(ran(view({ discovery: undefined }))) },
    { name: 'discovery: bundle unloadable', facts: at(atDiscovery(ERRORS.pemLib), true) },
    { name: 'discovery: untrusted', facts: at(atDiscovery(ERRORS.verify), false) },
    { name: 'discovery: DNS', facts: at(atDiscovery(ERRORS.dns)) },
    { name: 'discovery: refused', facts: at(atDiscovery(ERRORS.refused)) },
    { name: 'discovery: timeout with the full 10 s', facts: at(atDiscovery(ERRORS.timeout)) },
    { name: 'discovery: timeout with 4 s of budget', facts: at(atDiscovery(ERRORS.timeout, undefined, 4)) },
    { name: 'discovery: HTTP 401', facts: at(atDiscovery(http(401, 'HTTP Error 401: Unauthorized'), 401)) },
    { name: 'discovery: HTTP 403', facts: at(atDiscovery(http(403, 'HTTP Error 403: Forbidden'), 403)) },
    { name: 'discovery: HTTP 404', facts: at(atDiscovery(http(404, 'HTTP Error 404: Not Found'), 404)) },
    { name: 'discovery: HTTP 502', facts: at(atDiscovery(http(502, 'HTTP Error 502: Bad Gateway'), 502)) },
    { name: 'discovery: HTTP error without status', facts: at(atDiscovery(http(0, 'HTTP Error'))) },
    {
      name: 'discovery: a sign-in page',
      facts: at(
        atDiscovery(
          {
            kind: 'json',
            type: 'JSONDecodeError',
            message: 'Expecting value: line 1 column 1 (char 0)',
            bodyStart: '<!DOCTYPE html><html lang="en"><head><title>Sign in</title>',
          },
          200,
        ),
      ),
    },
    { name: 'discovery: not JSON, no body', facts: at(atDiscovery({ kind: 'json', type: 'JSONDecodeError', message: 'Expecting value' }, 200)) },
    { name: 'discovery: reset', facts: at(atDiscovery(ERRORS.reset)) },
    {
      name: 'discovery: URL unparsable',
      facts: at(
        ran(
          view({
            discovery: failed('https://gitlab.example.com:99999/.well-known/openid-configuration', {
              kind: 'url',
              type: 'InvalidURL',
              message: 'Invalid URL',
            }),
            jwks: undefined,
          }),
        ),
      ),
    },
    { name: 'no jwks_uri', facts: at(ran(view({ jwksUri: undefined, jwks: undefined }))) },
    {
      name: 'jwks_uri not absolute',
      facts: at(
        ran(
          view({
            discovery: answered(DISCOVERY, { finalUrl: 'https://sso.example.com/.well-known/openid-configuration' }),
            jwksUriProblem: 'jwks_uri "/keys" is not an absolute URL',
            jwks: undefined,
          }),
        ),
      ),
    },
    { name: 'key set: HTTP 403', facts: at(atKeySet(http(403, 'HTTP Error 403: Forbidden'), 403)) },
    { name: 'key set: untrusted (another host)', facts: at(atKeySet(ERRORS.verify)) },
    { name: 'key set: not JSON', facts: at(atKeySet({ kind: 'jwks', type: 'ValueError', message: 'not a JWKS' })) },
    { name: 'key set: empty', facts: at(ran(view({ jwks: { ...answered(JWKS), keys: 0, kids: [] } }))) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('gateway-fetches-jwks judge', () => {
  it.each<[string, GatewayViewResult, string[]]>([
    ['a key set without a key count', ran(view({ jwks: { ...answered(JWKS), keys: undefined } })), ['emptyKeySet']],
    ['a jwks_uri problem even with a key set', ran(view({ jwksUriProblem: 'jwks_uri is not https' })), ['noJwksUri']],
    ['an unknown error kind', atDiscovery({ kind: 'other', type: 'RuntimeError', message: 'boom' }), ['unfetchable']],
    ['a network error', atDiscovery({ kind: 'network', type: 'ConnectionError', message: 'boom' }), ['unfetchable']],
  ])('%s', (_name, result, expected) => {
    expect(ids(at(result))).toEqual(expected);
  });

  it.each<[string, number, boolean]>([
    ['9.9 s', 9.9, true],
    ['10 s', 10, false],
  ])("the timeout fix names the budget only when it is under the gateway's 10 s (%s)", (_name, perRequestS, named) => {
    const fix = renderJudgement(check.messages, judge(at(atDiscovery(ERRORS.timeout, undefined, perRequestS)))).remediation ?? '';
    expect(fix.includes('raise --timeout')).toBe(named);
  });

  it('names the failing step in the evidence, and no step for a missing jwks_uri', () => {
    expect(judge(at(atKeySet(ERRORS.refused))).evidence).toMatchObject({ failedStep: 'key set' });
    expect(judge(at(atDiscovery(ERRORS.refused))).evidence).toMatchObject({ failedStep: 'OIDC discovery' });
    expect(judge(at(ran(view({ jwksUri: undefined, jwks: undefined }))))).not.toHaveProperty('evidence.failedStep');
  });
});
