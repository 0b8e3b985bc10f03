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

/** The text of every case's rendering, in table order. */
export function renderCases<F, M extends Messages>(check: JudgedCheck<F, M>, cases: readonly RenderCase<F>[]): string {
  const names = new Set<string>();
  return cases
    .map(({ name, facts }) => {
      if (names.has(name)) throw new Error(`two rendering cases are named "${name}"`);
      names.add(name);
      const outcome = renderFacts(check, facts);
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
}

/** Every message id of the check's table that no case produced (each should be reached by at least one case). */
export function unreachedMessages<F, M extends Messages>(check: JudgedCheck<F, M>, cases: readonly RenderCase<F>[]): string[] {
  const reached = new Set(cases.flatMap(({ facts }) => renderFacts(check, facts).findings?.map((f) => f.id) ?? []));
  return Object.keys(check.messages).filter((id) => !reached.has(id));
}

/** Asserts the cases render as pinned in test/checks/__renderings__/<id>.txt and reach every message of the table. */
export async function expectRenderings<F, M extends Messages>(check: JudgedCheck<F, M>, cases: readonly RenderCase<F>[]): Promise<void> {
  expect(unreachedMessages(check, cases)).toEqual([]);
  await expect(renderCases(check, cases)).toMatchFileSnapshot(fileURLToPath(new URL(`../checks/__renderings__/${check.id}.txt`, import.meta.url)));
}
