// Nothing weakens TLS or the process for everyone: no global switch in the sources, none after a whole run, no file left behind.
import https from 'node:https';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { getGlobalDispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';
import { canUnshare, ROOT, runCli } from '../helpers/cli.js';

/** Every TypeScript source of the tool (the engine, the reference servers, the checks), with its lines. */
function sources(): { file: string; lines: string[] }[] {
  return ['src', 'checks'].flatMap((top) =>
    readdirSync(path.join(ROOT, top), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => {
        const file = path.join(top, f);
        return { file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n') };
      }),
  );
}

/** Code, not comments: the rule is about what runs. */
const isComment = (line: string) => /^\s*(\/\/|\*|\/\*)/.test(line);

/**
 * What must not appear, and the only files allowed to use it. The TLS probe (src/probes/tls.ts) handshakes with
 * `rejectUnauthorized: false` on its own socket only: it captures the chain exactly as the server sends it, so the
 * judge can say what is wrong with an untrusted one; that socket sends no application data and carries no credential.
 * The TLS scan (src/probes/tls-scan.ts, proxy-tls) does the same per handshake, offering one protocol or cipher class at
 * OpenSSL SECLEVEL=0 on that socket alone so this client can ask whether the server accepts weak ones; it sends nothing.
 */
const FORBIDDEN: { name: string; pattern: RegExp; allowed: string[] }[] = [
  { name: 'NODE_TLS_REJECT_UNAUTHORIZED', pattern: /NODE_TLS_REJECT_UNAUTHORIZED/, allowed: [] },
  { name: 'rejectUnauthorized: false', pattern: /rejectUnauthorized\s*:\s*(false|0)\b/, allowed: ['src/probes/tls.ts', 'src/probes/tls-scan.ts'] },
  { name: 'setGlobalDispatcher', pattern: /setGlobalDispatcher/, allowed: [] },
  { name: 'a replaced checkServerIdentity', pattern: /checkServerIdentity\s*[:=]/, allowed: [] },
  { name: 'the global https/http agent', pattern: /\b(https?)\.globalAgent\b/, allowed: [] },
  { name: "node:tls's process-wide defaults", pattern: /\btls\.DEFAULT_\w+\s*=/, allowed: [] },
  { name: 'OpenSSL security level 0', pattern: /SECLEVEL=0/, allowed: ['src/probes/tls-scan.ts'] },
  { name: 'process.env assignment', pattern: /process\.env(\.\w+|\[[^\]]+\])\s*(=(?!=)|\+=|\?\?=|\|\|=)/, allowed: [] },
  { name: 'process.env deletion or merge', pattern: /delete\s+process\.env|Object\.assign\(\s*process\.env/, allowed: [] },
];

describe('no global weakening', () => {
  const files = sources();

  it('finds the sources it scans', () => {
    expect(files.map((f) => f.file)).toContain('src/probes/tls.ts');
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(FORBIDDEN.map((f) => [f.name, f] as const))('%s: only where allowed', (_name, rule) => {
    const hits = files.flatMap(({ file, lines }) =>
      lines.flatMap((line, i) =>
        !isComment(line) && rule.pattern.test(line) && !rule.allowed.includes(file) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
      ),
    );
    expect(hits).toEqual([]);
  });

  it("the TLS probe's unverified handshake stays on its own socket, with no CA and no data sent", () => {
    const lines = files.find((f) => f.file === 'src/probes/tls.ts')?.lines ?? [];
    const unverified = lines.filter((l) => /rejectUnauthorized\s*:\s*false/.test(l));
    expect(unverified).toHaveLength(1);
    // A connection of its own whose secure context trusts nothing (`ca: []`, built once per process and used nowhere else).
    const text = lines.join('\n');
    expect(text).toMatch(
      /socket = connect\(\{[\s\S]{0,200}?rejectUnauthorized: false,\s*secureContext: \(emptyTrust \?\?= createSecureContext\(\{ ca: \[\] \}\)\),\s*\}\);/,
    );
    expect(text.match(/emptyTrust/g)).toHaveLength(2);
    expect(text).not.toMatch(/\.write\(|\.end\([^)]/);
  });

  it("the TLS scan's handshakes stay on their own sockets and send nothing", () => {
    const lines = files.find((f) => f.file === 'src/probes/tls-scan.ts')?.lines ?? [];
    const unverified = lines.filter((l) => /rejectUnauthorized\s*:\s*false/.test(l));
    expect(unverified).toHaveLength(1);
    // A dial of its own (src/probes/socket.ts: a fresh connection each) whose context offers only a TlsOffer (versions
    // and ciphers) and trusts nothing (`ca: []`).
    expect(unverified[0]).toMatch(/^\s*\{ host, port, tls: \{ rejectUnauthorized: false, secureContext \}, timeoutMs \},$/);
    expect(lines.join('\n')).toMatch(/options: TlsOffer/);
    expect(lines.join('\n')).toMatch(/tls\.createSecureContext\(\{ \.\.\.offer, ca: \[\] \}\)/);
    expect(lines.join('\n')).not.toMatch(/\.write\(|\.end\([^)]/);
    const dial = files.find((f) => f.file === 'src/probes/socket.ts')?.lines.join('\n') ?? '';
    expect(dial).toMatch(/socket = tls\.connect\(\{\s*host: d\.host,\s*port: d\.port,/);
  });

  it('a whole run against an https installation leaves the process as it found it', async () => {
    const before = {
      env: { ...process.env },
      dispatcher: getGlobalDispatcher(),
      agent: { ...https.globalAgent.options },
      tls: { min: tls.DEFAULT_MIN_VERSION, max: tls.DEFAULT_MAX_VERSION, ciphers: tls.DEFAULT_CIPHERS, curve: tls.DEFAULT_ECDH_CURVE },
    };
    const stack = await startStack(findScenario('self-signed-gitlab')!);
    try {
      const run = await runChecks(CHECKS, defaultSettings(stack.settingsOverrides));
      expect(run.results.find((r) => r.id === 'gitlab-reachable')?.status).toBe('fail');
    } finally {
      await stack.close();
    }
    expect(process.env).toEqual(before.env);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
    expect(getGlobalDispatcher()).toBe(before.dispatcher);
    expect(https.globalAgent.options).toEqual(before.agent);
    expect({ min: tls.DEFAULT_MIN_VERSION, max: tls.DEFAULT_MAX_VERSION, ciphers: tls.DEFAULT_CIPHERS, curve: tls.DEFAULT_ECDH_CURVE }).toEqual(
      before.tls,
    );
  });
});

describe('the write probes leave nothing behind, even when the write fails', () => {
  /**
   * In a private mount namespace: a 64 KB tmpfs filled up, so the probe's file is created and its write fails with
   * ENOSPC; HF_HOME is two levels the probe must create. Afterwards the tmpfs holds only the filler and the tmp dir.
   */
  const fullTmpfs = [
    'unshare',
    '-m',
    'sh',
    '-c',
    'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && dd if=/dev/zero of="$d/fill" bs=4k count=64 2>/dev/null; mkdir "$d/tmp"; ' +
      '"$@" --tmp-dir "$d/tmp" --hf-home "$d/hf/sub"; rc=$?; echo "LISTING: $(cd "$d" && find . | sort | tr "\\n" " ")" >&2; exit $rc',
    'sh',
  ];

  it.skipIf(!canUnshare()).each([
    ['the local probe (node:fs)', []],
    ['the sh probe (--exec)', ['--exec', 'env']],
  ])('%s', async (_name, exec) => {
    // AIGW_GITLAB_URL makes this host the gateway's: the runtime checks judge only where the gateway runs.
    const env = { PATH: process.env.PATH, AIGW_GITLAB_URL: 'https://gitlab.example' };
    const r = await runCli(['check', '--only', 'tmp-writable,hf-home-writable', ...exec, '--format', 'json'], { wrapper: fullTmpfs, env });
    expect(r.code).toBe(1);
    const results = (JSON.parse(r.stdout) as { results: { id: string; status: string; summary: string; evidence?: Record<string, unknown> }[] })
      .results;
    for (const id of ['tmp-writable', 'hf-home-writable']) {
      const result = results.find((x) => x.id === id);
      expect(result).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/no space left \(ENOSPC\)/),
        evidence: { failedStep: 'write', cleanedUp: true },
      });
    }
    expect(r.stderr.trim()).toBe('LISTING: . ./fill ./tmp');
  });
});
