// Pins what a judged check says for each case of its table: the verdict, every finding id, the summary, the details,
// the fix and the evidence, as `renderJudgement` renders them. One file per check under test/checks/__renderings__/,
// written by the first run and compared ever after (vitest's file snapshots: `npx vitest run -u <file>` rewrites it
// after an intended change; review its diff). Check tests still assert ids and statuses at the edges; this file is
// where the wording is pinned once, so a changed word, a dropped detail line or a lost evidence field fails a unit test.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { JudgedCheck, Messages } from '../../src/check.js';
import { renderFacts } from './render-facts.js';

export interface RenderCase<F> {
  name: string;
  facts: F;
}

/**
 * Renders every case once: the text of every rendering in table order, and the message ids of the check's table that no
 * case produced (each should be reached by at least one case).
 */
export function renderings<F, M extends Messages>(check: JudgedCheck<F, M>, cases: readonly RenderCase<F>[]): { text: string; unreached: string[] } {
  const names = new Set<string>();
  const reached = new Set<string>();
  const text = cases
    .map(({ name, facts }) => {
      if (names.has(name)) throw new Error(`two rendering cases are named "${name}"`);
      names.add(name);
      const outcome = renderFacts(check, facts);
      for (const f of outcome.findings ?? []) reached.add(f.id);
      const lines = [
        `## ${name}`,
        `status: ${outcome.status}`,
        `findings: ${(outcome.findings ?? []).map((f) => `${f.id} (${f.status})`).join(', ')}`,
        `summary: ${outcome.summary}`,
        ...outcome.details.map((line) => `detail: ${line}`),
        ...(outcome.remediation ?? '')
          .split('\n')
          .filter(Boolean)
          .map((line) => `fix: ${line}`),
        ...(outcome.evidence ? [`evidence: ${JSON.stringify(outcome.evidence)}`] : []),
      ];
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
  return { text, unreached: Object.keys(check.messages).filter((id) => !reached.has(id)) };
}

/** Asserts the cases render as pinned in test/checks/__renderings__/<id>.txt and reach every message of the table. */
export async function expectRenderings<F, M extends Messages>(check: JudgedCheck<F, M>, cases: readonly RenderCase<F>[]): Promise<void> {
  const { text, unreached } = renderings(check, cases);
  expect(unreached).toEqual([]);
  await expect(text).toMatchFileSnapshot(fileURLToPath(new URL(`../checks/__renderings__/${check.id}.txt`, import.meta.url)));
}
