// duo-instance-settings: its judge over tables of settings (finding ids), and its gather against the reference GitLab.
import { afterAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/duo-instance-settings.js';
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

  it('skips with a wrong token', async () => {
    const gitlab = await startGitLab({ adminToken: TOKEN, log: () => {} });
    servers.push(gitlab);
    expect((await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-wrong' }))).status).toBe('skip');
  });
});
