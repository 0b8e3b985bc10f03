// What a scenario's stand-in for the gateway's container needs from this machine (src/reference/container.ts).
import type { Scenario } from '../../src/reference/scenarios.js';
import { has } from './capabilities.js';

/**
 * Why this machine cannot run `scenario` (the lack is recorded for the run's summary), or undefined when it can. The
 * emulator is installed by npm test's preflight, so under CI=true its absence throws: a failure, never a silent skip.
 */
export function scenarioLacks(scenario: Scenario): string | undefined {
  const exec = scenario.doctor?.exec;
  if (exec === 'container' && !has('unshare-net')) return 'needs unshare -rn (its stand-in container)';
  if (exec === 'emulated-arm64' && !has('arm64-emulation')) {
    if (process.env.CI === 'true') throw new Error('CI=true: qemu-aarch64-static or the arm64 busybox is missing (see scripts/preflight.mjs)');
    return "needs qemu-aarch64-static and an arm64 busybox (npm test's preflight installs them as root)";
  }
  return undefined;
}
