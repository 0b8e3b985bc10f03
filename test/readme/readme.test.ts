// README.md stays true: its check catalogue is generated from the registry, and every option of `check` is documented.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { optionsTable } from '../../src/config/options-doc.js';
import { ROOT } from '../helpers/cli.js';

const README = path.join(ROOT, 'README.md');

/** The README with the generated block between `<!-- name:start -->` and `<!-- name:end -->` replaced by `body`. */
function withBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const [before, rest] = text.split(start);
  expect(rest, `README.md has no ${start}`).toBeDefined();
  const after = rest!.split(end)[1];
  return `${before}${start}\n${body}\n${end}${after}`;
}

/** Checks (or with UPDATE=1 rewrites) one generated block of the README. */
function expectBlock(name: string, body: string): void {
  const text = readFileSync(README, 'utf8');
  const expected = withBlock(text, name, body);
  if (process.env.UPDATE) writeFileSync(README, expected);
  else expect(text).toBe(expected);
}

function catalogue(): string {
  const rows = CHECKS.map((c) => `| \`${c.id}\` | ${c.category} | ${c.title} | ${c.tags.join(', ')} |`);
  return ['| id | category | what it establishes | tags |', '|---|---|---|---|', ...rows].join('\n');
}

describe('README.md', () => {
  it('has the current check catalogue', () => expectBlock('catalogue', catalogue()));

  it('has the current options tables, generated from the option table', () => {
    expectBlock('options', optionsTable('shared'));
    expectBlock('serve-options', optionsTable('serve'));
  });

  it('documents every option of check and serve', () => {
    const text = readFileSync(README, 'utf8');
    for (const name of ['check', 'serve']) {
      const command = buildProgram().commands.find((c) => c.name() === name)!;
      for (const option of command.options.filter((o) => !o.hidden)) expect(text, option.long!).toContain(`\`${option.long}`);
    }
  });

  it('gives the two Quick start commands exactly', () => {
    const text = readFileSync(README, 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm ci && npm test');
  });
});
