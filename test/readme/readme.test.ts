// README.md stays true: its check catalogue is generated from the registry, and every option of `check` is documented.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { ROOT } from '../helpers/cli.js';

const README = path.join(ROOT, 'README.md');
const START = '<!-- catalogue:start -->';
const END = '<!-- catalogue:end -->';

function catalogue(): string {
  const rows = CHECKS.map((c) => `| \`${c.id}\` | ${c.category} | ${c.title} | ${c.tags.join(', ')} |`);
  return ['| id | category | what it establishes | tags |', '|---|---|---|---|', ...rows].join('\n');
}

describe('README.md', () => {
  it('has the current check catalogue', () => {
    const text = readFileSync(README, 'utf8');
    const [before, rest] = text.split(START);
    const after = rest!.split(END)[1];
    const expected = `${before}${START}\n${catalogue()}\n${END}${after}`;
    if (process.env.UPDATE) writeFileSync(README, expected);
    else expect(text).toBe(expected);
  });

  it('documents every option of check', () => {
    const text = readFileSync(README, 'utf8');
    const check = buildProgram().commands.find((c) => c.name() === 'check')!;
    for (const option of check.options.filter((o) => !o.hidden)) expect(text, option.long!).toContain(`\`${option.long}`);
  });

  it('gives the two Quick start commands exactly', () => {
    const text = readFileSync(README, 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm ci && npm test');
  });
});
