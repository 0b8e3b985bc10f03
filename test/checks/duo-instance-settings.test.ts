// duo-instance-settings: its judge over tables of settings (finding ids), and its gather against the reference GitLab.
import { afterAll, describe, expect, it } from 'vitest';
import check, { gather, judge, offGroups, type Facts } from '../../checks/duo-instance-settings.js';
import type { GroupFact } from '../../src/probes/gitlab-api.js';
import { renderFacts } from '../helpers/render-facts.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { makeContext } from '../helpers/context.js';

const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('duo-instance-settings judge', () => {
  it.each<[string, Facts, string[]]>([
    ['unread', { unread: 'HTTP 403' }, ['unread']],
    ['all on', { duoFeaturesEnabled: true, silentModeEnabled: false }, ['allOn']],
    ['duo not exposed (no AI license)', { silentModeEnabled: false }, ['allOn']],
    ['nothing exposed', {}, ['allOn']],
    ['duo off', { duoFeaturesEnabled: false, silentModeEnabled: false }, ['duoOff']],
    ['duo off and locked', { duoFeaturesEnabled: false, lockDuoFeaturesEnabled: true }, ['duoOff']],
    ['silent mode', { duoFeaturesEnabled: true, silentModeEnabled: true }, ['silentMode']],
    ['both', { duoFeaturesEnabled: false, silentModeEnabled: true }, ['duoOff', 'silentMode']],
  ])('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));
});

describe('duo-instance-settings renders', () => {
  it.each<[string, Facts, string, RegExp]>([
    ['unread', { unread: 'HTTP 403' }, 'skip', /^GitLab's application settings could not be read: HTTP 403$/],
    [
      'duo off',
      { duoFeaturesEnabled: false },
      'fail',
      /^GitLab Duo is turned off for the whole instance \(duo_features_enabled false\): Duo Chat answers error M3002/,
    ],
    [
      'duo off and locked',
      { duoFeaturesEnabled: false, lockDuoFeaturesEnabled: true },
      'fail',
      /^GitLab Duo is turned off for the whole instance \(duo_features_enabled false, locked for every group\): /,
    ],
    ['duo off, lock false', { duoFeaturesEnabled: false, lockDuoFeaturesEnabled: false }, 'fail', /\(duo_features_enabled false\): /],
    ['silent mode', { silentModeEnabled: true }, 'fail', /^Silent Mode is on: GitLab blocks every outbound POST/],
    ['all on', { duoFeaturesEnabled: true }, 'pass', /^GitLab Duo is on for the instance and Silent Mode is off$/],
  ])('%s', (_name, f, status, summary) => {
    const out = renderFacts(check, f);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
  });

  it.each<[Facts, string]>([
    [{}, 'duo_features_enabled: not exposed, lock_duo_features_enabled: not exposed, silent_mode_enabled: not exposed'],
    [
      { duoFeaturesEnabled: true, lockDuoFeaturesEnabled: false, silentModeEnabled: true },
      'duo_features_enabled: true, lock_duo_features_enabled: false, silent_mode_enabled: true',
    ],
  ])('details: %j', (f, line) => {
    expect(judge(f).details).toEqual([
      line,
      'Projects can turn Duo off below their group (the same M3002); this check reads the instance and its groups.',
    ]);
  });
});

const group = (id: number, fullPath: string, duoFeaturesEnabled?: boolean, parentId?: number, lockDuoFeaturesEnabled?: boolean): GroupFact => ({
  id,
  fullPath,
  ...(parentId === undefined ? {} : { parentId }),
  ...(duoFeaturesEnabled === undefined ? {} : { duoFeaturesEnabled }),
  ...(lockDuoFeaturesEnabled === undefined ? {} : { lockDuoFeaturesEnabled }),
});
const listed = (...groups: GroupFact[]): Facts => ({
  duoFeaturesEnabled: true,
  silentModeEnabled: false,
  groups: { ok: true, groups, truncated: false },
});

describe('duo-instance-settings: Duo off in groups (M3002)', () => {
  it.each<[string, Facts, string[]]>([
    ['no groups', listed(), ['allOn']],
    ['every group on', listed(group(1, 'a', true), group(2, 'a/b', true, 1)), ['allOn']],
    ['one group off', listed(group(1, 'a', false)), ['duoOffInGroups']],
    ['a subgroup off under a group on', listed(group(1, 'a', true), group(2, 'a/b', false, 1)), ['duoOffInGroups']],
    ['Duo not exposed (no AI license)', listed(group(1, 'a'), group(2, 'b')), ['allOn']],
    ['groups unread', { duoFeaturesEnabled: true, groups: { ok: false, reason: 'GitLab answered HTTP 403' } }, ['allOn']],
    ['off for the instance too: one finding', { ...listed(group(1, 'a', false)), duoFeaturesEnabled: false }, ['duoOff']],
    ['groups off and Silent Mode', { ...listed(group(1, 'a', false)), silentModeEnabled: true }, ['duoOffInGroups', 'silentMode']],
  ])('%s → %j', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it.each<[string, GroupFact[], ReturnType<typeof offGroups>]>([
    ['none', [group(1, 'a', true)], undefined],
    ['empty', [], undefined],
    ['one', [group(1, 'a', false)], { groups: ['a'], more: 0, subgroups: 0 }],
    ['a locked one', [group(1, 'a', false, undefined, true)], { groups: ['a (Always off)'], more: 0, subgroups: 0 }],
    ['a subtree once', [group(1, 'a', false), group(2, 'a/b', false, 1), group(3, 'a/b/c', false, 2)], { groups: ['a'], more: 0, subgroups: 2 }],
    ['a subgroup whose parent is on', [group(1, 'a', true), group(2, 'a/b', false, 1)], { groups: ['a/b'], more: 0, subgroups: 0 }],
    ['a parent not listed', [group(2, 'a/b', false, 1)], { groups: ['a/b'], more: 0, subgroups: 0 }],
    ['five', [1, 2, 3, 4, 5].map((i) => group(i, `g${i}`, false)), { groups: ['g1', 'g2', 'g3', 'g4', 'g5'], more: 0, subgroups: 0 }],
    ['six', [1, 2, 3, 4, 5, 6].map((i) => group(i, `g${i}`, false)), { groups: ['g1', 'g2', 'g3', 'g4', 'g5'], more: 1, subgroups: 0 }],
    ['eight', [1, 2, 3, 4, 5, 6, 7, 8].map((i) => group(i, `g${i}`, false)), { groups: ['g1', 'g2', 'g3', 'g4', 'g5'], more: 3, subgroups: 0 }],
  ])('offGroups: %s', (_name, groups, expected) => {
    expect(offGroups(groups)).toEqual(expected);
  });

  it('warns, names the groups and the fix, and says what it read', () => {
    const many = listed(...[1, 2, 3, 4, 5, 6, 7].map((i) => group(i, `g${i}`, false)), group(8, 'g1/sub', false, 1), group(9, 'g2/sub', false, 2));
    const out = renderFacts(check, many);
    expect(out.status).toBe('warn');
    expect(out.summary).toBe(
      'GitLab Duo is turned off in g1, g2, g3, g4, g5 and 2 more groups (with 2 subgroups below, which follow): Duo Chat answers error M3002 there and no Duo request from their projects reaches the gateway',
    );
    expect(out.remediation).toMatch(/duo_availability=default_on/);
    expect(out.details).toContain('9 groups read');
    const one = renderFacts(check, listed(group(1, 'a', false, undefined, true), group(2, 'a/b', false, 1)));
    expect(one.summary).toMatch(/^GitLab Duo is turned off in a \(Always off\) \(with 1 subgroup below, which follow\): /);
    const single = renderFacts(check, listed(...[1, 2, 3, 4, 5, 6].map((i) => group(i, `g${i}`, false))));
    expect(single.summary).toMatch(/g5 and 1 more group: /);
  });

  it.each<[string, Facts, string[]]>([
    ['listed', listed(group(1, 'a', true)), ['1 group read']],
    [
      'truncated',
      { duoFeaturesEnabled: true, groups: { ok: true, groups: [group(1, 'a', true), group(2, 'b', true)], truncated: true } },
      ['2 groups read (the first pages only)'],
    ],
    [
      'unlicensed groups',
      listed(group(1, 'a', true), group(2, 'b'), group(3, 'c')),
      ['3 groups read; 2 groups without duo_features_enabled (AI features not licensed there)'],
    ],
    [
      'one unlicensed',
      listed(group(1, 'a', true), group(2, 'b')),
      ['2 groups read; 1 group without duo_features_enabled (AI features not licensed there)'],
    ],
    ['unread', { groups: { ok: false, reason: 'GitLab answered HTTP 403' } }, ['Groups could not be read: GitLab answered HTTP 403']],
    ['not asked', {}, []],
  ])('details: %s', (_name, f, lines) => {
    expect(judge(f).details?.slice(1, -1)).toEqual(lines);
  });
});

describe('duo-instance-settings gather (reference GitLab)', () => {
  const TOKEN = 'glpat-instance-settings';
  const servers: RunningGitLab[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it.each<[{ duoFeaturesEnabled?: boolean; silentModeEnabled?: boolean }, string[]]>([
    [{}, ['allOn']],
    [{ duoFeaturesEnabled: false }, ['duoOff']],
    [{ silentModeEnabled: true }, ['silentMode']],
  ])('%j → %j', async (applicationSettings, expected) => {
    const gitlab = await startGitLab({ adminToken: TOKEN, applicationSettings, log: () => {} });
    servers.push(gitlab);
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(expected);
  });

  it('reads every page of groups and their cascaded Duo setting', async () => {
    const groups = [
      ...Array.from({ length: 120 }, (_, i) => ({ path: `team-${String(i).padStart(3, '0')}` })),
      { path: 'secret', duoFeaturesEnabled: false, lockDuoFeaturesEnabled: true },
      { path: 'secret/inner', parent: 'secret', duoFeaturesEnabled: true },
      { path: 'team-000/quiet', parent: 'team-000', duoFeaturesEnabled: false },
    ];
    const gitlab = await startGitLab({ adminToken: TOKEN, groups, log: () => {} });
    servers.push(gitlab);
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN });
    const facts = await gather(ctx);
    expect('groups' in facts && facts.groups?.ok && facts.groups.groups.length).toBe(123);
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toMatch(/^GitLab Duo is turned off in secret \(Always off\), team-000\/quiet \(with 1 subgroup below, which follow\)/);
  });

  it('skips with a wrong token', async () => {
    const gitlab = await startGitLab({ adminToken: TOKEN, log: () => {} });
    servers.push(gitlab);
    expect((await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-wrong' }))).status).toBe('skip');
  });
});
