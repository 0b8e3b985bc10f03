// Parses a human interval ("60s", "5m", "1h", "500ms"; a bare number is seconds) into milliseconds.
import { UsageError } from '../config/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseInterval(raw: string, flag = '--interval'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`${flag} ${raw}: expected a duration such as 30s, 5m or 1h`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (ms < 1000) throw new UsageError(`${flag} ${raw}: the interval must be at least 1s`);
  return ms;
}
