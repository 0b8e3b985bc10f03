// splitPem's verdict on each fixture bundle is what Python's ssl (the gateway's client) says of it: runs python3.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { has } from '../helpers/capabilities.js';
import { useTlsFixtures } from '../tls/fixtures.js';
import { bundleCases } from './pem-cases.js';

const fixtures = useTlsFixtures();

describe('splitPem on the fixture bundles', () => {
  const python = has('python3');
  it.skipIf(!python).each(bundleCases)("agrees with Python's ssl about $kind", ({ kind, bad, problems, python: expected }) => {
    const script = 'import ssl,sys\ntry:\n  ssl.create_default_context(cafile=sys.argv[1]); print("loads")\nexcept ssl.SSLError as e: print(e)';
    const said = execFileSync('python3', ['-c', script, fixtures().bundles[kind]]).toString();
    expect(said).toContain(expected);
    // What we call a fail is exactly what Python refuses.
    expect(bad.length > 0 || problems !== undefined).toBe(expected !== 'loads');
  });
});
