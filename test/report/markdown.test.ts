// The Markdown report: a table that stays a table whatever the text holds, and every problem with its fix.
import { describe, expect, it } from 'vitest';
import { render } from '../../src/report/markdown.js';
import { sampleRun } from './sample.js';

describe('markdown report', () => {
  it('keeps every table row at three cells, escaping pipes and line breaks', () => {
    const run = sampleRun();
    const rows = render(run, { color: false })
      .split('\n')
      .filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(run.results.length + 2);
    for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
    expect(rows.at(-1)).toBe(
      '| `version-match` | ⚠ warn | Gateway tag "self-hosted-v18.0.0-ee" \\< GitLab 18.1.1-ee \\| one minor behind \\& nightly |',
    );
  });

  it('turns a line break in a cell into <br>', () => {
    const run = sampleRun();
    run.results[0]!.summary = 'one\ntwo';
    expect(render(run, { color: false })).toContain('| `gateway-url` | ✔ pass | one<br>two |');
  });

  it('lists every warning, failure and error, in order, with its fix', () => {
    const text = render(sampleRun(), { color: false });
    const section = text.split('## Failures and warnings\n')[1]!;
    const listed = [...section.matchAll(/^### \S+ `([a-z-]+)`/gm)].map((m) => m[1]);
    expect(listed).toEqual(['gateway-auth', 'license', 'system-exchange', 'gitlab-tls', 'version-match']);
    expect(section.match(/^\*\*Fix:\*\* /gm)).toHaveLength(4);
  });

  it('says so when there is nothing to fix', () => {
    const run = sampleRun();
    run.results = run.results.filter((r) => r.status === 'pass');
    expect(render(run, { color: false })).toMatch(/## Failures and warnings\n\nNone\.\n$/);
  });
});
