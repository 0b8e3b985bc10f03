// bedrock-models: its judge over tables of facts (finding ids and statuses), the pure Bedrock rules, and the AWS facts read from an environment.
import { describe, expect, it } from 'vitest';
import check, { awsFacts, judge, messages, type Facts } from '../../checks/bedrock-models.js';
import { accessKeyKind, bedrockIdForm, bedrockModelId, endpointRegion, profileServesRegion, type AwsEnvFacts } from '../../src/judge/bedrock.js';
import { renderJudgement } from '../../src/check.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings } from '../helpers/renderings.js';

const exec = { kind: 'exec' as const, prefix: 'docker exec gw' };
const model = (identifier: string) => ({ name: 'Claude', model: 'claude_3', identifier });
const PROFILE = 'bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0';
const KEYS: AwsEnvFacts = {
  set: ['AWS_ACCESS_KEY_ID', 'AWS_REGION_NAME', 'AWS_SECRET_ACCESS_KEY'],
  accessKeyKind: 'long-term',
  AWS_REGION_NAME: 'us-east-1',
};
const facts = (over: Partial<Facts> = {}): Facts => ({ total: 1, bedrock: [model(PROFILE)], place: exec, aws: KEYS, ...over });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

const CASES: [string, Facts, string[]][] = [
  ['list unreadable', { unlisted: 'no token' }, ['unlisted']],
  ['list absent, no reason', {}, ['unlisted']],
  ['no Bedrock model', { total: 2, bedrock: [] }, ['noBedrock']],
  ['profile and static keys', facts(), ['ready']],
  [
    'an ARN (application inference profile)',
    facts({ bedrock: [model('bedrock/arn:aws:bedrock:us-east-1:1:application-inference-profile/x')] }),
    ['ready'],
  ],
  ['bare model id', facts({ bedrock: [model('bedrock/meta.llama3-3-70b-instruct-v1:0')] }), ['noInferenceProfile']],
  ['upper-case provider, bare id', facts({ bedrock: [model('Bedrock/meta.llama3-3-70b-instruct-v1:0')] }), ['noInferenceProfile']],
  ['eu. profile, us-east-1', facts({ bedrock: [model('bedrock/eu.anthropic.claude-sonnet-4-20250514-v1:0')] }), ['profileOtherRegion']],
  ['jp. profile (geography not judged)', facts({ bedrock: [model('bedrock/jp.anthropic.claude-sonnet-4-5-v1:0')] }), ['ready']],
  ['global. profile', facts({ bedrock: [model('bedrock/global.anthropic.claude-sonnet-4-5-v1:0')] }), ['ready']],
  [
    'two models, one bare, one other geography',
    facts({ total: 3, bedrock: [model('bedrock/meta.llama3-3-70b-instruct-v1:0'), model('bedrock/apac.anthropic.claude-sonnet-4-20250514-v1:0')] }),
    ['noInferenceProfile', 'profileOtherRegion'],
  ],
  ['no credentials at all', facts({ aws: { set: [] } }), ['noCredentials', 'regionUnset']],
  ['only the key id', facts({ aws: { set: ['AWS_ACCESS_KEY_ID', 'AWS_REGION_NAME'], AWS_REGION_NAME: 'us-east-1' } }), ['noCredentials']],
  ['only the secret', facts({ aws: { set: ['AWS_REGION', 'AWS_SECRET_ACCESS_KEY'], AWS_REGION: 'us-east-1' } }), ['noCredentials']],
  ['a role (instance profile) only', facts({ aws: { set: ['AWS_REGION_NAME', 'AWS_ROLE_ARN'], AWS_REGION_NAME: 'us-east-1' } }), ['noCredentials']],
  ['a Bedrock API key', facts({ aws: { set: ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_REGION'], AWS_REGION: 'us-west-2' } }), ['ready']],
  ['session token', facts({ aws: { ...KEYS, set: [...KEYS.set, 'AWS_SESSION_TOKEN'] } }), ['temporaryCredentials']],
  ['an ASIA key without session token', facts({ aws: { ...KEYS, accessKeyKind: 'temporary' } }), ['temporaryCredentials']],
  ['a key of another kind', facts({ aws: { ...KEYS, accessKeyKind: 'other' } }), ['ready']],
  [
    'a session token beside an API key only',
    facts({ aws: { set: ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_REGION', 'AWS_SESSION_TOKEN'], AWS_REGION: 'us-east-1' } }),
    ['ready'],
  ],
  ['no region', facts({ aws: { ...KEYS, set: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], AWS_REGION_NAME: undefined } }), ['regionUnset']],
  ['AWS_REGION only', facts({ aws: { set: ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'], AWS_REGION: 'us-east-2' } }), ['ready']],
  ['regions agree', facts({ aws: { ...KEYS, AWS_REGION: 'us-east-1' } }), ['ready']],
  ['regions differ', facts({ aws: { ...KEYS, AWS_REGION: 'eu-west-1' } }), ['regionsDiffer']],
  ['private endpoint in region', facts({ aws: { ...KEYS, runtimeEndpoint: 'https://bedrock-runtime.us-east-1.amazonaws.com' } }), ['ready']],
  [
    'VPC endpoint in region',
    facts({ aws: { ...KEYS, runtimeEndpoint: 'https://vpce-0a1-b2.bedrock-runtime.us-east-1.vpce.amazonaws.com' } }),
    ['ready'],
  ],
  [
    'private endpoint elsewhere',
    facts({ aws: { ...KEYS, runtimeEndpoint: 'https://bedrock-runtime.eu-west-1.amazonaws.com' } }),
    ['runtimeEndpointRegion'],
  ],
  ['endpoint of another name', facts({ aws: { ...KEYS, runtimeEndpoint: 'https://bedrock.internal.example' } }), ['ready']],
  ['endpoint over http', facts({ aws: { ...KEYS, runtimeEndpoint: 'http://bedrock-runtime.us-east-1.amazonaws.com' } }), ['runtimeEndpointInvalid']],
  ['endpoint not a URL', facts({ aws: { ...KEYS, runtimeEndpoint: 'bedrock-runtime.us-east-1.amazonaws.com' } }), ['runtimeEndpointInvalid']],
  ['endpoint empty', facts({ aws: { ...KEYS, runtimeEndpoint: '' } }), ['runtimeEndpointInvalid']],
  [
    'endpoint, no region',
    facts({ aws: { set: ['AWS_BEARER_TOKEN_BEDROCK'], runtimeEndpoint: 'https://bedrock-runtime.eu-west-1.amazonaws.com' } }),
    ['regionUnset'],
  ],
  [
    'not the gateway: identifiers only',
    facts({ place: { kind: 'elsewhere', hostname: 'laptop' }, aws: undefined }),
    ['notTheGateway', 'identifiersOnly'],
  ],
  [
    'not the gateway, a bare id',
    facts({ place: { kind: 'elsewhere', hostname: 'l' }, aws: undefined, bedrock: [model('bedrock/x.y')] }),
    ['noInferenceProfile', 'notTheGateway'],
  ],
  ['environment unreadable', facts({ aws: undefined, envError: 'exec failed' }), ['envUnreadable', 'identifiersOnly']],
  ['environment read, no place (a replay)', facts({ place: undefined }), ['ready']],
  [
    'not the gateway, facts of a replay that read it anyway',
    facts({ place: { kind: 'elsewhere', hostname: 'h' }, aws: { set: [] } }),
    ['notTheGateway', 'identifiersOnly'],
  ],
  ['gateway place, environment not read (a replay without it)', facts({ aws: undefined }), ['identifiersOnly']],
  ['two identifiers, environment not read', facts({ aws: undefined, bedrock: [model(PROFILE), model('bedrock/global.x.y')] }), ['identifiersOnly']],
  ['no place, no credentials (a replay)', facts({ place: undefined, aws: { set: [] } }), ['identifiersOnly']],
  [
    'two models ready',
    facts({ total: 2, bedrock: [model(PROFILE), model('bedrock/eu.mistral.x')], aws: { ...KEYS, AWS_REGION_NAME: 'eu-west-3' } }),
    ['profileOtherRegion'],
  ],
  ['two profiles in their region', facts({ total: 2, bedrock: [model(PROFILE), model('bedrock/us.meta.llama3-3-70b-instruct-v1:0')] }), ['ready']],
];

describe('bedrock-models judge', () => {
  it.each(CASES)('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));

  it('renders every case as pinned, reaching every message', () =>
    expectRenderings(
      check,
      CASES.map(([name, facts]) => ({ name, facts })),
    ));

  it('the geography is judged against AWS_REGION_NAME before AWS_REGION', () => {
    expect(ids(facts({ bedrock: [model('bedrock/eu.anthropic.claude-v1:0')], aws: { ...KEYS, AWS_REGION: 'eu-west-1' } }))).toEqual([
      'profileOtherRegion',
      'regionsDiffer',
    ]);
  });

  it('statuses: credentials and regions fail, forms warn, no Bedrock model passes, an unread environment skips', () => {
    expect(messages.noCredentials.status).toBe('fail');
    expect(messages.temporaryCredentials.status).toBe('fail');
    expect(messages.regionUnset.status).toBe('fail');
    expect(messages.profileOtherRegion.status).toBe('fail');
    expect(messages.runtimeEndpointInvalid.status).toBe('fail');
    expect(messages.noInferenceProfile.status).toBe('warn');
    expect(messages.regionsDiffer.status).toBe('warn');
    expect(messages.runtimeEndpointRegion.status).toBe('warn');
    expect(messages.noBedrock.status).toBe('pass');
    expect(messages.envUnreadable.status).toBe('skip');
  });

  it('renders every finding with its data, and keeps secrets and the total out', () => {
    const out = renderJudgement(messages, judge(facts({ aws: { set: ['AWS_REGION'], AWS_REGION: 'us-east-1' }, total: 4 })));
    expect(out.summary).toContain('no static AWS credentials (only AWS_REGION)');
    expect(out.details?.join('\n')).toContain('AWS variables set inside: docker exec gw: AWS_REGION (values not shown)');
    expect(renderJudgement(messages, judge({ total: 3, bedrock: [] })).summary).toContain('none of 3 self-hosted models');
    expect(renderJudgement(messages, judge({ total: 1, bedrock: [] })).summary).toContain('none of 1 self-hosted model uses');
    expect(renderJudgement(messages, judge({ bedrock: [] })).summary).toContain('none of 0 self-hosted models');
    expect(renderJudgement(messages, judge(facts())).summary).toBe(
      '1 Bedrock model: the identifiers name inference profiles, and the gateway has static credentials for us-east-1',
    );
    expect(renderJudgement(messages, judge(facts({ aws: { set: [] } }))).details).toContain(
      `AWS variables set inside: docker exec gw: none (values not shown)`,
    );
    expect(judge(facts()).evidence).toEqual({ models: 1, bedrock: [PROFILE], awsVariables: KEYS.set });
    expect(judge(facts({ aws: undefined, place: { kind: 'elsewhere', hostname: 'h' } })).evidence).toEqual({ models: 1, bedrock: [PROFILE] });
  });
});

describe('Bedrock rules', () => {
  it.each<[string | undefined, string | undefined]>([
    ['bedrock/us.anthropic.x', 'us.anthropic.x'],
    ['BEDROCK/meta.x', 'meta.x'],
    ['bedrock/', undefined],
    ['custom_openai/bedrock/x', undefined],
    ['azure/gpt', undefined],
    [undefined, undefined],
  ])('bedrockModelId(%s) = %s', (identifier, expected) => expect(bedrockModelId(identifier)).toBe(expected));

  it.each<[string, ReturnType<typeof bedrockIdForm>]>([
    ['us.anthropic.claude', { kind: 'profile', geo: 'us' }],
    ['us-gov.anthropic.claude', { kind: 'profile', geo: 'us-gov' }],
    ['apac.anthropic.claude', { kind: 'profile', geo: 'apac' }],
    ['global.anthropic.claude', { kind: 'profile', geo: 'global' }],
    ['au.anthropic.claude', { kind: 'profile', geo: 'au' }],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude', { kind: 'arn' }],
    ['arn:aws-us-gov:bedrock:us-gov-west-1:1:application-inference-profile/x', { kind: 'arn' }],
    ['anthropic.claude', { kind: 'bare' }],
    ['meta.arn:aws:bedrock:x', { kind: 'bare' }],
    ['usx.anthropic.claude', { kind: 'bare' }],
    ['us.1', { kind: 'bare' }],
    ['xus.anthropic', { kind: 'bare' }],
  ])('bedrockIdForm(%s)', (id, expected) => expect(bedrockIdForm(id)).toEqual(expected));

  it.each<[string, string, boolean | undefined]>([
    ['us', 'us-east-1', true],
    ['us', 'us-gov-west-1', false],
    ['us', 'eu-west-1', false],
    ['us-gov', 'us-gov-west-1', true],
    ['us-gov', 'us-east-1', false],
    ['eu', 'eu-central-1', true],
    ['eu', 'xeu-central-1', false],
    ['apac', 'ap-northeast-1', true],
    ['apac', 'eu-west-1', false],
    ['global', 'sa-east-1', true],
    ['jp', 'ap-northeast-1', undefined],
  ])('profileServesRegion(%s, %s) = %s', (geo, region, expected) => expect(profileServesRegion(geo, region)).toBe(expected));

  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'long-term'],
    ['ASIAIOSFODNN7EXAMPLE', 'temporary'],
    ['XAKIA', 'other'],
    ['', 'other'],
  ])('accessKeyKind(%s) = %s', (id, kind) => expect(accessKeyKind(id)).toBe(kind));

  it.each<[string, string | undefined]>([
    ['bedrock-runtime.us-east-1.amazonaws.com', 'us-east-1'],
    ['bedrock-runtime-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['vpce-1-a.bedrock-runtime.eu-west-1.vpce.amazonaws.com', 'eu-west-1'],
    ['xbedrock-runtime.us-east-1.amazonaws.com', undefined],
    ['bedrock-runtime.us-east-1.amazonaws.com.evil', undefined],
    ['bedrock.internal', undefined],
  ])('endpointRegion(%s) = %s', (host, region) => expect(endpointRegion(host)).toBe(region));
});

describe('awsFacts', () => {
  it('names what is set (blank is unset), the key kind, the regions, the endpoint redacted; no secret', () => {
    const f = awsFacts({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'sekrit',
      AWS_SESSION_TOKEN: '  ',
      AWS_REGION_NAME: 'us-east-1',
      AWS_REGION: 'us-east-2',
      AWS_BEDROCK_RUNTIME_ENDPOINT: 'https://user:pw@bedrock-runtime.us-east-1.amazonaws.com',
      OTHER: 'x',
    });
    expect(f).toEqual({
      set: ['AWS_ACCESS_KEY_ID', 'AWS_BEDROCK_RUNTIME_ENDPOINT', 'AWS_REGION', 'AWS_REGION_NAME', 'AWS_SECRET_ACCESS_KEY'],
      accessKeyKind: 'temporary',
      AWS_REGION_NAME: 'us-east-1',
      AWS_REGION: 'us-east-2',
      runtimeEndpoint: expect.not.stringContaining('pw') as unknown as string,
    });
    expect(JSON.stringify(f)).not.toContain('sekrit');
  });

  it('an empty environment: nothing set, no key, no region, no endpoint', () => {
    expect(awsFacts({})).toEqual({ set: [] });
    expect(awsFacts({ AWS_BEDROCK_RUNTIME_ENDPOINT: '' })).toEqual({ set: [], runtimeEndpoint: '' });
  });
});

describe('bedrock-models gather', () => {
  it('skips without a GitLab token', async () => {
    const outcome = await check.run(makeContext({}));
    expect(outcome.status).toBe('skip');
  });
});
