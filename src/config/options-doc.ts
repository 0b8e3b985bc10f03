// The README's options tables, generated from the option table (a test fails when the README's copy is stale).
import { configKeyOf, defaultLabel, flagUsage, OPTIONS, type OptionCommand, type OptionSpec } from './options.js';

const ALL: readonly OptionCommand[] = ['check', 'serve', 'demo'];

/** One Markdown table: the options of `check` (shared), or those of `serve` alone (each once, in declaration order). */
export function optionsTable(which: 'shared' | 'serve'): string {
  const rows = (OPTIONS as readonly OptionSpec[])
    .filter((o) => (which === 'shared') === (o.commands ?? ALL).includes('check'))
    .map((o) => {
      const key = configKeyOf(o);
      const def = defaultLabel(o);
      return `| \`${flagUsage(o).replace(/\|/g, '\\|')}\` | ${o.env ? `\`${o.env}\`` : ''} | ${key ? `\`${key}\`` : ''} | ${def !== undefined ? `\`${def}\`` : ''} | ${o.help.replace(/\|/g, '\\|')}${o.perTarget ? ' (per target)' : ''}${o.commands?.includes('serve') === false ? ' (not `serve`)' : ''} |`;
    });
  return ['| option | environment | config key | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
