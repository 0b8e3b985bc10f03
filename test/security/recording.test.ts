// A recording of a live run holds no secret: the admin token GitLab accepted, the gateway's signing key from its
// environment, credential headers — in the recording directory and in the support bundle, unpacked with the real tar.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSuite } from '../../src/cli/commands/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';

const CANARY = 'glpat-RECORDCANARY0123456789xyz';
const KEY_CANARY = 'KEYCANARY9f8e7d6c5b4a';
const SIGNING_KEY = `-----BEGIN PRIVATE KEY-----\nMIIEv${KEY_CANARY}AgEAMA0GCSqGSIb3DQEB\n-----END PRIVATE KEY-----\n`;
let stack: Stack;
let dir: string;

beforeAll(async () => {
  [stack, dir] = await Promise.all([startStack(findScenario('healthy')!, { adminToken: CANARY }), mkdtemp(join(tmpdir(), 'duo-rec-secrets-'))]);
});
afterAll(async () => Promise.all([stack.close(), rm(dir, { recursive: true, force: true })]));

async function filesUnder(root: string): Promise<[string, string][]> {
  const names = await readdir(root, { recursive: true });
  const files = await Promise.all(
    names.map(async (n) => ((await stat(join(root, n))).isFile() ? [[n, await readFile(join(root, n), 'utf8')] as [string, string]] : [])),
  );
  return files.flat();
}

it('the recording and the bundle of a live run hold no secret, and say where credentials were sent', async () => {
  const record = join(dir, 'rec');
  const bundle = join(dir, 'support.tar.gz');
  // The gateway's environment as duo-doctor reads it, with a signing key (a secret duo-doctor must never write down).
  const env = {
    ...stack.settingsOverrides.env,
    AIGW_SELF_SIGNED_JWT__SIGNING_KEY: SIGNING_KEY,
    DUO_WORKFLOW_AUTH__OIDC_CUSTOMER_PORTAL_URL: `https://u:${KEY_CANARY}@portal.example.com`,
  };
  const { run } = await runSuite(defaultSettings({ ...stack.settingsOverrides, env, record, bundle }));
  expect(run.summary.pass).toBeGreaterThan(10);
  await mkdir(join(dir, 'unpacked'));
  execFileSync('tar', ['-xzf', bundle, '-C', join(dir, 'unpacked')]);
  const files = [...(await filesUnder(record)), ...(await filesUnder(join(dir, 'unpacked')))];
  for (const [name, text] of files) {
    expect(text.includes(CANARY), `${name} holds the admin token`).toBe(false);
    expect(text, `${name} holds a private key`).not.toMatch(/PRIVATE KEY-----\s*\S/);
    expect(text.includes(KEY_CANARY), `${name} holds the signing key or a URL password`).toBe(false);
  }
  const har = JSON.parse(files.find(([n]) => n === 'exchanges.har')![1]);
  const tokenHeaders = har.log.entries.flatMap((e: { request: { headers: { name: string; value: string }[] } }) =>
    e.request.headers.filter((h) => /^private-token$/i.test(h.name)),
  );
  // GitLab's API was called with the token (so the header is there to see) and every value is masked.
  expect(tokenHeaders.length).toBeGreaterThan(0);
  expect(new Set(tokenHeaders.map((h: { value: string }) => h.value))).toEqual(new Set(['[REDACTED]']));
});
