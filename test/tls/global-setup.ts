// Vitest global setup: one shared directory per run where the first TLS test file generates the fixtures for all (see fixtures.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where TLS fixtures are shared for this run (generated lazily by the first test file that needs them). */
    tlsFixturesDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'duo-doctor-tls-shared-'));
  project.provide('tlsFixturesDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
