// The probes' programs are files of their own (.py, .sh), imported as text: what runs is exactly what the linters checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_PROBE } from '../../src/runtime/model-probe.js';
import { PYTHON_PROBE, RESULT_MARK } from '../../src/runtime/python-probe.js';
import { CONTAINER_PROBE, PYTHON_LAUNCHER, RESOURCES_PROBE, WRITE_PROBE } from '../../src/runtime/sh-probes.js';

const file = (name: string) => readFileSync(new URL(`../../src/runtime/${name}`, import.meta.url), 'utf8');

describe('probe programs', () => {
  it.each([
    ['python-probe.py', PYTHON_PROBE],
    ['model-probe.py', MODEL_PROBE],
    ['write-probe.sh', WRITE_PROBE],
    ['resources-probe.sh', RESOURCES_PROBE],
    ['container-probe.sh', CONTAINER_PROBE],
    ['python-launcher.sh', PYTHON_LAUNCHER],
  ])('%s is imported as its text', (name, text) => {
    expect(text).toBe(file(name));
  });

  it('the Python probe marks its result line as the parser expects', () => {
    expect(PYTHON_PROBE).toContain(`MARK = ${JSON.stringify(RESULT_MARK)}\n`);
  });
});
