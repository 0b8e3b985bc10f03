// One spelling of each Admin-area path in every fix (issue 15, text drift): GitLab 18.9's own, from src/data/admin-paths.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Every check's source and the modules whose text reaches a report, with README.md. */
function texts(): { file: string; text: string }[] {
  const files = [
    ...readdirSync(path.join(ROOT, 'checks')).map((f) => `checks/${f}`),
    ...readdirSync(path.join(ROOT, 'src/probes')).map((f) => `src/probes/${f}`),
    ...readdirSync(path.join(ROOT, 'src/judge')).map((f) => `src/judge/${f}`),
    'README.md',
  ];
  return files.filter((f) => /\.(ts|md)$/.test(f)).map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') }));
}

/** The steps GitLab's docs name under Admin > GitLab Duo (configure_duo_features.md, gitlab_self_managed.md). */
const DUO_PAGES = ['Change configuration', 'Configure GitLab Duo Self-Hosted', 'Seat utilization', 'Run health check'];

describe('Admin-area paths', () => {
  it.each([
    ['"Admin area >" (GitLab says "Admin")', /Admin area >/],
    ['"Admin > GitLab Duo Self-Hosted" (a page of Admin > GitLab Duo)', /Admin > GitLab Duo Self-Hosted/],
    ['"Self-hosted models >" (the page is "Configure GitLab Duo Self-Hosted")', /Self-hosted models >/],
    ['"GitLab Duo > Configuration" (the button is "Change configuration")', /GitLab Duo > Configuration/],
  ])('no %s', (_name, drift) => {
    const found = texts().flatMap(({ file, text }) => text.split('\n').flatMap((line, i) => (drift.test(line) ? [`${file}:${i + 1}`] : [])));
    expect(found).toEqual([]);
  });

  it('every page named under Admin > GitLab Duo is one GitLab has', () => {
    const pages = texts().flatMap(({ text }) =>
      [...text.matchAll(/Admin > GitLab Duo > ([A-Z][A-Za-z -]*?)(?= >| \(|[,.;:)`'"]|$)/gm)].map((m) => m[1]),
    );
    expect(pages.length).toBeGreaterThan(0);
    expect([...new Set(pages)].filter((p) => !DUO_PAGES.includes(p!))).toEqual([]);
  });
});
