// `duo-doctor check` against `duo-doctor gitlab` and `duo-doctor gateway` running as separate processes gives the same
// verdicts as `duo-doctor demo` for the same scenario: the demo is the same suite, not a special case.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_VERSION } from '../../src/reference/gateway/config.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { findScenario } from '../../src/reference/scenarios.js';
import { gatewayKeyEnv } from '../../src/reference/stack.js';
import { BIN, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';

const TOKEN = 'glpat-cli-stack-test-token';
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});

/** Starts a duo-doctor server command and resolves once it prints its listening line. */
function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`duo-doctor ${args[0]} exited ${code} before listening: ${out}`)));
  });
}

type Verdicts = Record<string, string>;
const verdicts = (stdout: string): Verdicts =>
  Object.fromEntries((JSON.parse(stdout) as { results: Array<{ id: string; status: string }> }).results.map((r) => [r.id, r.status]));

describe('check against separately started reference servers = demo', () => {
  it.each(['expired-license', 'auth-bypassed', 'version-mismatch', 'jwks-empty'])('%s', async (name) => {
    const scenario = findScenario(name)!;
    const [gitlabPort, gatewayPort, workflowPort] = [await freePort(), await freePort(), await freePort()];
    const gitlabUrl = `http://127.0.0.1:${gitlabPort}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-cli-stack-'));
    // The gateway's environment, as its container would have it; check reads the same (as if run on the gateway host).
    const gatewayEnv = {
      AIGW_GITLAB_URL: gitlabUrl,
      AIGW_GITLAB_API_URL: `${gitlabUrl}/api/v4/`,
      AIGW_CUSTOM_MODELS__ENABLED: 'true',
      ...gatewayKeyEnv(),
      HF_HOME: path.join(dir, 'hf'),
      // The image's Duo Workflow Service beside the gateway (plain gRPC, as the demo's plain-http scenarios have it).
      ENABLE_DUO_WORKFLOW_SERVICE: 'true',
      PORT: String(workflowPort),
      DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(2048).privatePem,
      DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(2048).privatePem,
      ...scenario.gateway.env,
    };
    try {
      await startServer(['gitlab', '--scenario', name, '--port', String(gitlabPort), '--gateway-url', gatewayUrl], {
        GITLAB_TOKEN: TOKEN,
        DUO_AGENT_PLATFORM_SERVICE_URL: `127.0.0.1:${workflowPort}`,
        DUO_AGENT_PLATFORM_SERVICE_SECURE: 'false',
      });
      await startServer(
        ['gateway', '--port', String(gatewayPort), ...(scenario.gateway.version ? ['--image-tag', scenario.gateway.version] : [])],
        gatewayEnv,
      );

      // The gateway tells its version nowhere over HTTP: the operator names its image tag, as the demo's stack does.
      const imageTag = scenario.gateway.version ?? DEFAULT_GATEWAY_VERSION;
      const [check, demo] = await Promise.all([
        runCli(
          ['check', '--gitlab-url', gitlabUrl, '--gateway-url', gatewayUrl, '--gateway-image-tag', imageTag, '--tmp-dir', dir, '--format', 'json'],
          {
            env: { PATH: process.env.PATH, GITLAB_TOKEN: TOKEN, ...gatewayEnv },
          },
        ),
        runCli(['demo', '--scenario', name, '--format', 'json']),
      ]);
      expect(check.stderr).toBe('');
      expect(verdicts(check.stdout)).toEqual(verdicts(demo.stdout));
      expect(check.code).toBe(demo.code);
      expect(check.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
