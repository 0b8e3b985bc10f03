// Commands load only what they use, proven on the built bundle: a loader hook records every module Node resolves, and
// dist/meta.json (esbuild's metafile) says which chunk holds which package.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/reference/scenarios.js';
import { BIN, ROOT } from '../helpers/cli.js';

const LOADER = path.join(ROOT, 'test/helpers/module-log.mjs');
/** The libraries of the network, TLS-certificate, JWT and gRPC work: no command that makes no exchange may load them. */
const HEAVY = ['undici', 'jose', 'node-forge', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'] as const;
type Heavy = (typeof HEAVY)[number];
/** Node's own HTTP stacks. */
const HTTP_BUILTINS = ['node:http', 'node:https', 'node:http2'];

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/** Per bundle file (relative to the repository root): the npm packages, the project files and every input bundled into it. */
let contents: Map<string, { packages: Set<string>; sources: string[]; inputs: string[] }>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-lazy-'));
  const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist/meta.json'), 'utf8')) as Metafile;
  contents = new Map(
    Object.entries(meta.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, output]) => {
        const inputs = Object.keys(output.inputs);
        const packages = new Set(inputs.flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? []));
        return [file, { packages, sources: inputs.filter((i) => !i.includes('node_modules/')), inputs }];
      }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Loaded {
  code: number;
  /** Bundle files loaded, relative to the root. */
  files: string[];
  builtins: string[];
  packages: Set<string>;
}

let runs = 0;

/** Runs `node --import module-log.mjs bin/duo-doctor.js ...args` and says what it loaded. */
async function load(args: readonly string[], env: Record<string, string> = {}): Promise<Loaded> {
  const log = path.join(dir, `modules-${runs++}.log`);
  const code = await new Promise<number>((resolve) => {
    execFile(
      process.execPath,
      ['--import', LOADER, BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DUO_DOCTOR_MODULE_LOG: log, ...env }, maxBuffer: 32 * 1024 * 1024 },
      (error) => resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
    );
  });
  const urls = [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  const files = urls
    .filter((u) => u.startsWith('file:'))
    .map((u) => path.relative(ROOT, fileURLToPath(u)))
    .filter((f) => f.startsWith('dist/'));
  for (const f of files) {
    // A file the metafile does not list means dist/ was rebuilt under this test: the mapping would be wrong.
    if (!contents.has(f)) throw new Error(`${f} is not in dist/meta.json`);
  }
  return {
    code,
    files,
    builtins: urls.filter((u) => u.startsWith('node:')),
    packages: new Set(files.flatMap((f) => [...contents.get(f)!.packages])),
  };
}

const heavyIn = (loaded: Loaded): Heavy[] => HEAVY.filter((p) => loaded.packages.has(p));

describe('lazy loading', () => {
  it('the metafile places each heavy library in chunks of its own, apart from the entry', () => {
    for (const pkg of HEAVY) {
      const holders = [...contents].filter(([, c]) => c.packages.has(pkg)).map(([f]) => f);
      expect(holders.length, pkg).toBeGreaterThan(0);
      expect(holders, pkg).not.toContain('dist/cli.js');
    }
  });

  it.each([[['--version']], [['-V']], [['list']], [['list', '--format', 'json']], [['explain', 'tmp-writable']], [['--help']]])(
    '%j loads no HTTP, TLS-certificate or JWT library',
    async (args) => {
      const loaded = await load(args);
      expect(loaded.code).toBe(0);
      expect(loaded.files).toContain('dist/cli.js');
      expect(heavyIn(loaded)).toEqual([]);
      expect(loaded.builtins.filter((b) => HTTP_BUILTINS.includes(b))).toEqual([]);
    },
  );

  it('--version loads no check and not the command-line parser', async () => {
    const loaded = await load(['--version']);
    const sources = loaded.files.flatMap((f) => contents.get(f)!.sources);
    expect(sources.filter((s) => s.startsWith('checks/'))).toEqual([]);
    expect(loaded.packages.has('commander')).toBe(false);
  });

  it('a check that makes a request does load undici (the hook sees what it must)', async () => {
    const loaded = await load(['check', '--gitlab-url', 'http://127.0.0.1:9', '--only', 'gitlab-reachable', '--format', 'json'], {
      GITLAB_TOKEN: 'glpat-lazy-loading-test',
    });
    expect(loaded.code).toBe(1);
    expect(heavyIn(loaded)).toContain('undici');
    expect(heavyIn(loaded)).not.toContain('node-forge');
    // Only the dispatchers and request() (whose body mixins use a few fetch helpers): undici's index would load fetch,
    // WebSocket, EventSource and cookies, which reads globalThis.Headers and makes Node compile its own undici (src/probes/undici.ts).
    const undici = loaded.files.flatMap((f) => contents.get(f)!.inputs).filter((i) => i.includes('node_modules/undici/'));
    expect(undici).toContain('node_modules/undici/lib/dispatcher/agent.js');
    const web = /undici\/(index\.js|lib\/web\/(cookies|websocket|eventsource|cache)\/|lib\/web\/fetch\/index\.js)/;
    expect(undici.filter((i) => web.test(i))).toEqual([]);
  });

  // node-forge only generates certificates: a demo over http needs none, one over https does.
  const plain = SCENARIOS.find((s) => s.tls === 'none')!;
  const secure = SCENARIOS.find((s) => s.tls === 'private-ca')!;
  it.each([
    [plain.name, false],
    [secure.name, true],
  ])('demo --scenario %s loads node-forge: %s', async (scenario, forge) => {
    const loaded = await load(['demo', '--scenario', scenario, '--format', 'json', '--only', 'gitlab-reachable']);
    expect(loaded.files).toContain('dist/cli.js');
    expect(loaded.packages.has('node-forge')).toBe(forge);
  });
});
