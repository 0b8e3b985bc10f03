// What the terminal allows: colour (NO_COLOR / FORCE_COLOR / TTY) and a live progress line (TTY only, never in CI).
import type { Env } from '../config/settings.js';

/** Colour on a TTY unless NO_COLOR is set; FORCE_COLOR forces it on (or off with 0). */
export function useColor(stream: { isTTY?: boolean }, env: Env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

/** The progress line goes to stderr only on a TTY and never in CI. */
export function useProgress(stream: { isTTY?: boolean }, env: Env): boolean {
  return stream.isTTY === true && !env.CI;
}
