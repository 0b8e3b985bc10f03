// Prints the score of every module of the last StrykerJS run (reports/mutation/mutation.json) as a Markdown table for
// TESTING.md, worst first, with the whole scope's score and the mutants disabled as equivalent (with their reasons).
// Usage: node scripts/mutation-table.mjs [path/to/mutation.json]
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const INVALID = new Set(['Ignored', 'CompileError', 'RuntimeError']);

const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const valid = mutants.filter((m) => !INVALID.has(m.status)).length;
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  // Static mutants (ignoreStatic) and gather bodies (I/O, out of scope) are not equivalents: they are left out of the list.
  const disabled = mutants.filter((m) => m.status === 'Ignored' && !/^Static mutant|^gather does I\/O/.test(m.statusReason ?? ''));
  return {
    file,
    valid,
    detected,
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    disabled,
    score: valid ? (100 * detected) / valid : 100,
  };
});
rows.sort((a, b) => a.score - b.score || a.file.localeCompare(b.file));

const pct = (n) => `${n.toFixed(2)} %`;
const total = rows.reduce((t, r) => ({ valid: t.valid + r.valid, detected: t.detected + r.detected }), { valid: 0, detected: 0 });
console.log('| Module | Score | Killed + timeout / valid | Survived | No coverage |');
console.log('|--------|------:|-------------------------:|---------:|------------:|');
for (const r of rows) console.log(`| ${r.file} | ${pct(r.score)} | ${r.detected} / ${r.valid} | ${r.survived} | ${r.noCoverage} |`);
console.log(`| **whole scope** | **${pct((100 * total.detected) / total.valid)}** | ${total.detected} / ${total.valid} | | |`);

const reasons = new Map();
for (const r of rows)
  for (const m of r.disabled) {
    const key = `${r.file}: ${m.statusReason ?? '(no reason)'}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
if (reasons.size) {
  console.log('\nDisabled as equivalent (`// Stryker disable` with a reason):\n');
  for (const [reason, n] of [...reasons].sort()) console.log(`- ${reason}${n > 1 ? ` (${n} mutants)` : ''}`);
}
