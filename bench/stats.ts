// Summaries of repeated measurements: median and the p10–p90 spread, and ratios of runs measured side by side.

/** A distribution of samples, summarised. */
export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
}

/** The q-quantile (0..1) of sorted samples, interpolated linearly between ranks. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * q;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Median and p10–p90 of the samples. */
export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9) };
}

/** Ratios of paired samples (a[i] / b[i]): each pair was measured back to back, so machine load affects both alike. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / b[i]!);
}

/** "1.23× [1.10–1.40]" */
export function formatRatio(s: Summary, unit = '×'): string {
  const f = (x: number) => x.toFixed(2);
  return s.n > 1 ? `${f(s.median)}${unit} [${f(s.p10)}–${f(s.p90)}]` : `${f(s.median)}${unit}`;
}

/** "123 ms [110–140]" */
export function formatMs(s: Summary): string {
  const f = (x: number) => Math.round(x).toString();
  return s.n > 1 ? `${f(s.median)} ms [${f(s.p10)}–${f(s.p90)}]` : `${f(s.median)} ms`;
}
