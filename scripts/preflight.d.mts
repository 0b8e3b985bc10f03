// Types of scripts/preflight.mjs for the tests (the script itself runs with plain node before anything is built).
export interface Program {
  program: string;
  pkg: string;
  why: string;
}
export const PROGRAMS: Program[];
export const EMULATION: Program;
export function arm64Dir(env?: NodeJS.ProcessEnv): string;
export function found(program: string, envPath?: string): boolean;
export type Plan = { kind: 'ok' } | { kind: 'install'; packages: string[]; text: string } | { kind: 'stop'; text: string };
export function plan(missing: readonly Program[], env: { root: boolean; apt: boolean }): Plan;
