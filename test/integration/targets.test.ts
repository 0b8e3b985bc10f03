// Two installations in one config (healthy + broken): one run, results per target in json, junit and prometheus.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runCli } from '../helpers/cli.js';
import { isFailing } from '../../src/model.js';

let dir: string;
let prod: Stack;
let staging: Stack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-targets-'));
  [prod, staging] = await Promise.all([
    startStack(findScenario('healthy')!, { adminToken: 'glpat-prod-token-0001' }),
    startStack(findScenario('expired-license')!, { adminToken: 'glpat-staging-token-02' }),
  ]);
});
afterAll(async () => {
  await Promise.all([prod?.close(), staging?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('a config with two targets', () => {
  it('labels every result with its installation in json, junit and prometheus', async () => {
    const config = path.join(dir, 'duo-doctor.yaml');
    const target = (name: string, stack: Stack, tokenEnv: string) =>
      [
        `  - name: ${name}`,
        `    gitlabUrl: ${stack.gitlabUrl}`,
        `    gatewayUrl: ${stack.gatewayUrl}`,
        `    tokenEnv: ${tokenEnv}`,
        `    tmpDir: ${stack.settingsOverrides.tmpDir}`,
        `    hfHome: ${path.join(dir, `hf-${name}`)}`,
        ...(stack.caFile ? [`    caFile: ${stack.caFile}`] : []),
      ].join('\n');
    await writeFile(config, ['targets:', target('prod', prod, 'TOKEN_PROD'), target('staging', staging, 'TOKEN_STAGING')].join('\n'));
    const junit = path.join(dir, 'out.xml');
    const prom = path.join(dir, 'out.prom');
    const r = await runCli(['check', '--config', config, '--format', 'json', '--report', `junit=${junit}`, '--report', `prometheus=${prom}`], {
      env: { PATH: process.env.PATH, TOKEN_PROD: prod.adminToken, TOKEN_STAGING: staging.adminToken },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    const run = JSON.parse(r.stdout) as {
      installations: Array<{ name: string; gitlab: string }>;
      results: Array<{ id: string; status: string; target: string }>;
    };
    expect(run.installations.map((i) => [i.name, i.gitlab])).toEqual([
      ['prod', prod.gitlabUrl],
      ['staging', staging.gitlabUrl],
    ]);
    const failing = (t: string) =>
      run.results
        .filter((x) => x.target === t && isFailing(x.status))
        .map((x) => x.id)
        .sort();
    expect(failing('prod')).toEqual([]);
    expect(failing('staging')).toEqual(['gitlab-health-check', 'license', 'system-exchange']);
    expect(run.results.filter((x) => x.target === 'prod')).toHaveLength(run.results.length / 2);

    const xml = await readFile(junit, 'utf8');
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['prod', 'staging']);
    expect(xml).toMatch(/<testcase name="license: [^"]*\[staging\]"[^>]*>\s*<failure/);

    const families = parsePrometheusTextFormat(await readFile(prom, 'utf8'));
    const license = families.find((f) => f.name === 'duo_doctor_check_status')!.metrics.filter((m) => m.labels?.id === 'license' && m.value === '1');
    expect(license.map((m) => [m.labels?.target, m.labels?.status]).sort()).toEqual([
      ['prod', 'pass'],
      ['staging', 'fail'],
    ]);
    for (const out of [r.stdout, xml, await readFile(prom, 'utf8')]) {
      expect(out).not.toContain(prod.adminToken);
      expect(out).not.toContain(staging.adminToken);
    }
  });
});
