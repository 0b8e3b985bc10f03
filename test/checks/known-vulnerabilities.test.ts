// known-vulnerabilities: range edges of every advisory, unknown versions, and gather through the memoised probes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { firstClearRelease, hitsFor, judge, type Facts } from '../../checks/known-vulnerabilities.js';
import type { Advisory } from '../../src/data/advisories.js';
import { ADVISORIES } from '../../src/data/advisories.js';
import { parseVersion, type Version } from '../../src/judge/versions.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';

const v = (text: string): Version => {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(text);
  return parsed;
};
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);
const known = (gitlab?: string, gateway?: string): Facts => ({
  gitlab: gitlab ? { value: gitlab, from: 'test' } : { unknownWhy: 'no GitLab URL given' },
  gateway: gateway ? { value: gateway, from: 'test' } : { unknownWhy: 'no tag' },
});

describe('advisory table', () => {
  it.each(ADVISORIES.flatMap((a) => a.affected.map((r) => [a.id, r.introduced, r.fixed] as const)))(
    '%s: affected from %s, fixed in %s — edges',
    (id, introduced, fixed) => {
      const product = ADVISORIES.find((a) => a.id === id)?.product ?? 'gitlab';
      const has = (version: string) => hitsFor(product, v(version)).some((h) => h.id === id);
      expect(has(introduced)).toBe(true);
      expect(has(fixed)).toBe(false);
      const f = v(fixed);
      if (f.patch > 0) expect(has(`${f.major}.${f.minor}.${f.patch - 1}`)).toBe(true);
    },
  );

  it('every entry says where it comes from and how it was verified', () => {
    for (const a of ADVISORIES) {
      expect(a.sources.length).toBeGreaterThan(0);
      expect(a.verification).toMatch(/^\d{4}-\d{2}-\d{2}: /);
    }
  });
});

describe('known-vulnerabilities judge', () => {
  it.each<[string, Facts, string[]]>([
    ['both clear (the reference default)', known('19.4.1-ee', 'self-hosted-v19.4.1-ee'), ['clear', 'clear']],
    ['GitLab in CVE-2026-1724, first affected', known('18.5.0-ee', 'self-hosted-v19.4.1-ee'), ['gitlabAffected', 'clear']],
    ['GitLab one below the 18.8 fix', known('18.8.6-ee', 'self-hosted-v19.4.1-ee'), ['gitlabAffected', 'clear']],
    ['GitLab at the 18.8 fix', known('18.8.7-ee', 'self-hosted-v19.4.1-ee'), ['clear', 'clear']],
    ['GitLab CE in the range of an EE-only advisory', known('18.6.0', 'self-hosted-v19.4.1-ee'), ['clear', 'clear']],
    ['GitLab one before the affected range', known('18.4.9-ee', 'self-hosted-v19.4.1-ee'), ['clear', 'clear']],
    ['gateway 18.6.0 in CVE-2026-1868 and CVE-2026-90970', known('19.4.1-ee', 'self-hosted-v18.6.0-ee'), ['clear', 'gatewayAffected']],
    ['gateway as a full image reference', known('19.4.1-ee', 'registry.local/model-gateway:self-hosted-v19.0.0-ee'), ['clear', 'gatewayAffected']],
    ['gateway nightly: no version', known('19.4.1-ee', 'self-hosted-nightly'), ['clear', 'unknown']],
    ['nothing known', known(), ['unknown', 'unknown']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('names every advisory hit and the one release that clears them all', () => {
    const j = judge(known('19.4.1-ee', 'self-hosted-v18.6.0-ee'));
    const hit = j.findings[1];
    expect(hit?.id).toBe('gatewayAffected');
    const hits = (hit?.data as { hits: { id: string; fixedIn: string }[] }).hits;
    expect(hits.map((h) => [h.id, h.fixedIn])).toEqual([
      ['CVE-2026-1868', '18.6.2'],
      ['CVE-2026-90970', '19.2.4'],
    ]);
  });
});

describe('firstClearRelease', () => {
  const advisory = (id: string, introduced: string, fixed: string): Advisory => ({
    id,
    product: 'ai-gateway',
    severity: 'high',
    summary: id,
    affected: [{ introduced, fixed }],
    sources: ['x'],
    verification: 'test',
  });
  const table = [advisory('A', '1.0.0', '1.2.0'), advisory('B', '1.2.0', '1.3.0')];

  it('skips a fixed release that another advisory covers', () => {
    expect(firstClearRelease('ai-gateway', hitsFor('ai-gateway', v('1.1.0'), table), table)).toBe('1.3.0');
  });
  it('takes the fixed release itself when nothing covers it', () => {
    expect(firstClearRelease('ai-gateway', hitsFor('ai-gateway', v('1.2.5'), table), table)).toBe('1.3.0');
    expect(firstClearRelease('ai-gateway', hitsFor('ai-gateway', v('18.6.0')))).toBe('19.2.4');
  });
});

describe('hitsFor and firstClearRelease at their edges', () => {
  const gl = (id: string, editions?: ('ce' | 'ee')[]): Advisory => ({
    id,
    product: 'gitlab',
    severity: 'critical',
    summary: id,
    ...(editions ? { editions } : {}),
    affected: [{ introduced: '1.0.0', fixed: '1.1.0' }],
    sources: [],
    verification: 'test',
  });
  const table = [gl('BOTH'), gl('EE', ['ee']), gl('CE', ['ce'])];
  it.each<[string, 'ce' | 'ee' | undefined, string[]]>([
    ['no edition given: every advisory', undefined, ['BOTH', 'EE', 'CE']],
    ['EE', 'ee', ['BOTH', 'EE']],
    ['CE', 'ce', ['BOTH', 'CE']],
  ])('%s', (_name, edition, expected) => {
    expect(hitsFor('gitlab', v('1.0.5'), table, edition).map((h) => h.id)).toEqual(expected);
  });
  it('keeps the first source, or none', () => {
    expect(hitsFor('gitlab', v('1.0.0'), table)[0]).toEqual({ id: 'BOTH', severity: 'critical', summary: 'BOTH', fixedIn: '1.1.0', source: '' });
  });
  it('cannot name a release when no hit has a readable fix', () => {
    expect(firstClearRelease('gitlab', [{ id: 'X', severity: 'high', summary: 'x', fixedIn: 'soon', source: '' }], table)).toBe(
      '(see the advisories)',
    );
  });
  it('takes the highest fix of several hits', () => {
    const hit = (fixedIn: string) => ({ id: fixedIn, severity: 'high' as const, summary: '', fixedIn, source: '' });
    expect(firstClearRelease('gitlab', [hit('1.1.0'), hit('2.0.0'), hit('1.5.0')], [])).toBe('2.0.0');
  });
});

describe('known-vulnerabilities renderings (every message, pinned in __renderings__/known-vulnerabilities.txt)', () => {
  const cases: RenderCase<Facts>[] = [
    { name: 'both clear', facts: known('19.4.1-ee', 'self-hosted-v19.4.1-ee') },
    { name: 'GitLab affected, gateway affected by two', facts: known('18.5.0-ee', 'self-hosted-v18.6.0-ee') },
    { name: 'GitLab CE in an EE-only range, gateway as a plain version', facts: known('18.6.0', '19.4.1') },
    { name: 'nothing known, said why', facts: known() },
    { name: 'nothing known, silent', facts: { gitlab: {}, gateway: {} } },
    { name: 'versions without X.Y.Z', facts: { gitlab: { value: 'main', from: '/api/v4/metadata' }, gateway: { value: 'self-hosted-nightly' } } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('known-vulnerabilities gather', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    gitlab = await startFakeGitLab({ 'GET /api/v4/metadata': { body: { version: '18.10.0-ee' } } });
  });
  afterAll(() => gitlab.close());

  it("reads GitLab's version from its metadata (the memoised probe) and the gateway's from --gateway-image-tag", async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-x', gatewayVersion: 'self-hosted-v18.8.0-ee' }));
    expect(out.status).toBe('fail');
    expect(out.findings).toEqual([
      { id: 'gitlabAffected', status: 'fail' },
      { id: 'gatewayAffected', status: 'fail' },
    ]);
    expect(out.remediation).toMatch(/18\.10\.1/);
  });

  it('says which version it could not learn', async () => {
    const out = await check.run(makeContext({}));
    expect(out.status).toBe('skip');
    expect(out.summary).toMatch(/no GitLab URL given/);
  });
});
