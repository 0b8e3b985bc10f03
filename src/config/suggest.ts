// "Did you mean": the closest known name to a mistyped one (a config key, a check id, a tag).

/** Levenshtein distance between two strings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The candidate closest to `name` (case-insensitive), when it is within 3 edits; else undefined. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const best = candidates.map((c) => [c, distance(name.toLowerCase(), c.toLowerCase())] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 3 ? best[0] : undefined;
}

/** ` (did you mean 'x'?)` or nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const hint = closest(name, candidates);
  return hint ? ` (did you mean '${hint}'?)` : '';
}
