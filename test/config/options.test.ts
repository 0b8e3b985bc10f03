// The option table is the one declaration of every option: commander's options, the config keys, the defaults and the
// precedence (flags > environment > config file > defaults) all come from it — tested here for every option, generically.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { CONFIG_KEYS } from '../../src/config/file.js';
import { loadRun, type CheckFlags } from '../../src/config/load.js';
import { configKeyOf, flagAttribute, OPTIONS, optionsOf, type OptionCommand, type OptionSpec } from '../../src/config/options.js';
import { DEFAULTS } from '../../src/config/settings.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-options-'));
  await writeFile(path.join(dir, 'token'), 'glpat-from-file\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Three distinct valid values per option: as a flag, as an environment variable, and in a config file. */
const SAMPLES: Record<
  string,
  { flag: string | boolean | string[]; env?: string; config: unknown; parsed: [flag: unknown, env: unknown, config: unknown] }
> = {
  gitlabUrl: {
    flag: 'https://flag.example.com',
    env: 'https://env.example.com',
    config: 'https://config.example.com',
    parsed: ['https://flag.example.com', 'https://env.example.com', 'https://config.example.com'],
  },
  gatewayUrl: {
    flag: 'http://flag.example.com:5052',
    env: 'http://env.example.com:5052',
    config: 'http://config.example.com:5052',
    parsed: ['http://flag.example.com:5052', 'http://env.example.com:5052', 'http://config.example.com:5052'],
  },
  gitlabTokenFile: { flag: '@token', config: '@token', parsed: ['@token', undefined, '@token'] },
  caFile: { flag: '/flag.pem', config: '/config.pem', parsed: ['/flag.pem', undefined, '/config.pem'] },
  tmpDir: { flag: '/flag-tmp', config: '/config-tmp', parsed: ['/flag-tmp', undefined, '/config-tmp'] },
  hfHome: { flag: '/flag-hf', env: '/env-hf', config: '/config-hf', parsed: ['/flag-hf', '/env-hf', '/config-hf'] },
  exec: { flag: 'docker exec a', config: 'docker exec c', parsed: ['docker exec a', undefined, 'docker exec c'] },
  only: { flag: ['a,b'], config: ['c'], parsed: [['a', 'b'], undefined, ['c']] },
  skip: { flag: ['a'], config: ['c'], parsed: [['a'], undefined, ['c']] },
  plugins: { flag: ['f.mjs'], config: ['c.mjs'], parsed: [['f.mjs'], undefined, ['c.mjs']] },
  format: { flag: 'json', config: 'tap', parsed: ['json', undefined, 'tap'] },
  output: { flag: '@out-flag', config: '@out-config', parsed: ['@out-flag', undefined, '@out-config'] },
  report: { flag: ['junit=@flag.xml'], config: ['tap=@config.tap'], parsed: [['junit=@flag.xml'], undefined, ['tap=@config.tap']] },
  quiet: { flag: true, config: true, parsed: [true, undefined, true] },
  timeoutMs: { flag: '30s', config: 5000, parsed: [30_000, undefined, 5000] },
  deadlineMs: { flag: '90', config: 300, parsed: [90_000, undefined, 300_000] },
  concurrency: { flag: '2', config: 3, parsed: [2, undefined, 3] },
  strict: { flag: true, config: true, parsed: [true, undefined, true] },
  config: { flag: '@unused', config: undefined, parsed: [undefined, undefined, undefined] },
  gatewayVersion: { flag: '18.6.0', config: '18.5.0', parsed: ['18.6.0', undefined, '18.5.0'] },
  gatewayImageTag: { flag: 'self-hosted-v18.6.0-ee', config: undefined, parsed: ['self-hosted-v18.6.0-ee', undefined, undefined] },
  targetVersion: { flag: '18.7.0', config: '18.8.0', parsed: ['18.7.0', undefined, '18.8.0'] },
  expiryWarnDays: { flag: '0', config: 14, parsed: [0, undefined, 14] },
  deep: { flag: true, config: true, parsed: [true, undefined, true] },
  deepSeconds: { flag: '30', config: 60, parsed: [30, undefined, 60] },
  record: { flag: '@rec-flag', config: '@rec-config', parsed: ['@rec-flag', undefined, '@rec-config'] },
  bundle: { flag: '@flag.tar.gz', config: '@config.tar.gz', parsed: ['@flag.tar.gz', undefined, '@config.tar.gz'] },
  port: { flag: '0', config: undefined, parsed: [0, undefined, undefined] },
  host: { flag: '0.0.0.0', config: undefined, parsed: ['0.0.0.0', undefined, undefined] },
  intervalMs: { flag: '5m', config: undefined, parsed: [300_000, undefined, undefined] },
};

/** `@name` stands for a file in the test directory. */
const at = <T>(v: T): T =>
  typeof v === 'string' && v.startsWith('@')
    ? (path.join(dir, v.slice(1)) as T)
    : Array.isArray(v)
      ? (v.map((x: unknown) => (typeof x === 'string' ? x.replace('@', `${dir}/`) : x)) as T)
      : v;
const commandOf = (o: OptionSpec): OptionCommand => (o.commands ?? ['check'])[0]!;

async function resolve(o: OptionSpec, sources: { flag?: boolean; env?: boolean; config?: boolean }) {
  const sample = SAMPLES[o.name]!;
  const key = configKeyOf(o);
  const configFile = path.join(dir, `${o.name}.yaml`);
  await writeFile(configFile, sources.config && key ? JSON.stringify({ [key]: at(sample.config) }) : '{}');
  const flags = { config: configFile, ...(sources.flag ? { [flagAttribute(o)]: at(sample.flag) } : {}) } as CheckFlags;
  const env = sources.env && o.env ? { [o.env]: at(sample.env!) } : {};
  return loadRun(flags, env, commandOf(o));
}

describe('the option table', () => {
  it('has a sample for every option (a new option needs one here)', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(OPTIONS.map((o) => o.name).sort());
  });

  it('gives commander exactly its options, per command (demo without the per-target ones)', () => {
    const program = buildProgram();
    for (const command of ['check', 'serve', 'demo'] as const) {
      const longs = program.commands
        .find((c) => c.name() === command)!
        .options.filter((x) => !x.hidden)
        .map((x) => x.long);
      const declared = optionsOf(command)
        .filter((o) => command !== 'demo' || !(o as OptionSpec).perTarget)
        .map((o) => o.flag);
      expect(longs.filter((l) => !['--scenario', '--list-scenarios'].includes(l!))).toEqual(declared);
    }
  });

  it('gives the config file exactly its keys', () => {
    expect(Object.keys(CONFIG_KEYS).sort()).toEqual([...OPTIONS.flatMap((o) => configKeyOf(o as OptionSpec) ?? []), 'targets'].sort());
  });

  // Composed options (format, output, report, the token file, the alias) feed other settings: their value is read from `values`.
  it.each(OPTIONS.filter((o) => o.name !== 'config').map((o) => [o.flag, o as OptionSpec] as const))(
    '%s: flags > environment > config file > default',
    async (_flag, o) => {
      const sample = SAMPLES[o.name]!;
      const valueOf = async (s: Parameters<typeof resolve>[1]) => ((await resolve(o, s)).values as Record<string, unknown>)[o.name];
      const [fromFlag, fromEnv, fromConfig] = sample.parsed.map((v) => at(v));
      expect(await valueOf({})).toEqual('default' in o ? o.default : undefined);
      if (configKeyOf(o)) expect(await valueOf({ config: true })).toEqual(fromConfig);
      if (o.env) expect(await valueOf({ config: true, env: true })).toEqual(fromEnv);
      expect(await valueOf({ config: true, env: true, flag: true })).toEqual(fromFlag);
    },
  );

  it('derives the defaults', () => {
    expect(DEFAULTS).toMatchObject({
      tmpDir: '/tmp',
      timeoutMs: 10_000,
      expiryWarnDays: 30,
      deepSeconds: 75,
      host: '127.0.0.1',
      port: 9400,
      intervalMs: 60_000,
    });
  });
});
