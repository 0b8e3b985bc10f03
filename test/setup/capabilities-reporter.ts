// Vitest reporter: at the end of the run, one line naming every capability this machine lacked and the test files that
// skipped tests for want of it (recorded by test/helpers/capabilities.ts). Nothing is printed when nothing was missing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Reporter, Vitest } from 'vitest/node';
import { LACKING_LOG_ENV, type Lack } from '../helpers/capabilities.js';

export default class CapabilitiesReporter implements Reporter {
  private dir = '';
  private root = '';

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.dir = mkdtempSync(path.join(tmpdir(), 'duo-doctor-lacking-'));
    // Set before the workers start: they inherit the environment.
    process.env[LACKING_LOG_ENV] = path.join(this.dir, 'lacking.jsonl');
  }

  onTestRunEnd(): void {
    const log = process.env[LACKING_LOG_ENV];
    let lines: string[] = [];
    try {
      lines = readFileSync(log ?? '', 'utf8')
        .split('\n')
        .filter(Boolean);
    } catch {
      // No file: nothing was lacking.
    }
    rmSync(this.dir, { recursive: true, force: true });
    const files = new Map<string, Set<string>>();
    for (const lack of lines.map((l) => JSON.parse(l) as Lack)) {
      const set = files.get(lack.what) ?? new Set<string>();
      set.add(path.relative(this.root, lack.file));
      files.set(lack.what, set);
    }
    if (files.size === 0) return;
    const parts = [...files].map(([what, set]) => `${what}: ${[...set].sort().join(', ')}`);
    console.log(`\nSKIPPED for want of a capability on this machine — ${parts.join('; ')}\n`);
  }
}
