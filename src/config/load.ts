// Resolves Settings from command-line flags > environment > config file > defaults, validating every value.
import { readLimited } from '../fs/read-limited.js';
import { redactUrl } from '../redact.js';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { UsageError } from './errors.js';
import { MAX_CONFIG_BYTES, readConfigFile, type ConfigFile, type TargetEntry } from './file.js';
import { DEFAULTS, defaultSettings, type Env, type Installation, type ReportTarget, type Settings, type Source } from './settings.js';

/** The `check` command's flags as commander parses them. */
export interface CheckFlags {
  gitlabUrl?: string;
  gatewayUrl?: string;
  gitlabTokenFile?: string;
  caFile?: string;
  tmpDir?: string;
  hfHome?: string;
  exec?: string;
  only?: readonly string[];
  skip?: readonly string[];
  plugin?: readonly string[];
  format?: string;
  output?: string;
  report?: readonly string[];
  timeout?: string;
  concurrency?: string;
  strict?: boolean;
  config?: string;
  gatewayVersion?: string;
  gatewayImageTag?: string;
  targetVersion?: string;
  expiryWarnDays?: string;
  deep?: boolean;
  deepSeconds?: string;
}

function positiveInt(raw: string | number, flag: string): number {
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${raw}: expected a whole number of at least 1`);
  return n;
}

/** Checks a target URL: parseable and http(s). Other schemes in the gateway URL are left for gateway-url to judge. */
function targetUrl(raw: string, what: string, requireHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${what} ${redactUrl(raw)}: not a URL (expected e.g. https://gitlab.example.com)`);
  }
  if (requireHttp && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} ${redactUrl(raw)}: must be an http:// or https:// URL`);
  }
  return raw;
}

function parseReport(spec: string): ReportTarget {
  const eq = spec.indexOf('=');
  const format = eq > 0 ? spec.slice(0, eq) : '';
  const file = eq > 0 ? spec.slice(eq + 1) : '';
  if (!isReportFormat(format) || !file) {
    throw new UsageError(`--report ${spec}: expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')}`);
  }
  return { format, file };
}

function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

async function readToken(file: string): Promise<string> {
  const read = await readLimited(file, MAX_CONFIG_BYTES);
  if (!read.ok) throw new UsageError(`--gitlab-token-file ${file}: ${read.failure.message}`);
  const token = read.data.toString('utf8').trim();
  if (!token) throw new UsageError(`--gitlab-token-file ${file}: the file is empty`);
  return token;
}

/** Picks the first defined value, remembering where it came from. */
function pick<T>(...candidates: Array<[T | undefined, Source]>): [T, Source] | undefined {
  for (const c of candidates) if (c[0] !== undefined && c[0] !== '') return c as [T, Source];
  return undefined;
}

/** Builds the run's Settings. `env` is the environment (process.env in the CLI). */
export async function loadSettings(flags: CheckFlags, env: Env): Promise<Settings> {
  const file: ConfigFile = flags.config ? await readConfigFile(flags.config) : {};

  const gitlab = pick<string>([flags.gitlabUrl, 'flag'], [env.DUO_DOCTOR_GITLAB_URL, 'env'], [file.gitlabUrl, 'config']);
  const gateway = pick<string>([flags.gatewayUrl, 'flag'], [env.AI_GATEWAY_URL, 'env'], [file.gatewayUrl, 'config']);
  const hf = pick<string>([flags.hfHome, 'flag'], [env.HF_HOME, 'env'], [file.hfHome, 'config']);
  const tokenFile = flags.gitlabTokenFile ?? file.gitlabTokenFile;
  if (flags.gatewayVersion && flags.gatewayImageTag && flags.gatewayVersion !== flags.gatewayImageTag) {
    throw new UsageError('--gateway-version and --gateway-image-tag disagree: give one of them');
  }
  const format = flags.format ?? file.format ?? 'text';
  if (!isReportFormat(format)) throw new UsageError(`--format ${format}: expected one of ${REPORT_FORMATS.join(', ')}`);
  const reports: ReportTarget[] = [
    { format: format as ReportFormat, ...(flags.output ?? file.output ? { file: flags.output ?? file.output } : {}) },
    ...[...(file.reports ?? []), ...(flags.report ?? [])].map(parseReport),
  ];
  const files = reports.map((r) => r.file).filter(Boolean);
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup) throw new UsageError(`${dup} is named by two outputs (--output/--report): give each format its own file`);

  const only = [...splitList(flags.only), ...(flags.only ? [] : (file.only ?? []))];
  const skip = [...splitList(flags.skip), ...(flags.skip ? [] : (file.skip ?? []))];
  const clash = only.find((o) => skip.includes(o));
  if (clash) throw new UsageError(`--only and --skip both name ${clash}`);

  const token = tokenFile ? await readToken(tokenFile) : env.GITLAB_TOKEN?.trim() || undefined;

  if (file.targets) {
    const clash = (['gitlabUrl', 'gatewayUrl', 'exec', 'caFile', 'gitlabTokenFile'] as const).find((k) => flags[k] !== undefined);
    if (clash) throw new UsageError(`--${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} conflicts with 'targets' in the config file: set it per target`);
  }

  const settings = defaultSettings({
    ...(gitlab ? { gitlabUrl: targetUrl(gitlab[0], gitlab[1] === 'flag' ? '--gitlab-url' : gitlab[1] === 'env' ? 'DUO_DOCTOR_GITLAB_URL' : 'gitlabUrl', true) } : {}),
    ...(gateway
      ? { gatewayUrl: targetUrl(gateway[0], gateway[1] === 'flag' ? '--gateway-url' : gateway[1] === 'env' ? 'AI_GATEWAY_URL' : 'gatewayUrl', false), gatewayUrlSource: gateway[1] }
      : {}),
    ...(token ? { gitlabToken: token } : {}),
    ...(flags.caFile ?? file.caFile ? { caFile: flags.caFile ?? file.caFile } : {}),
    tmpDir: flags.tmpDir ?? file.tmpDir ?? DEFAULTS.tmpDir,
    hfHome: hf?.[0] ?? DEFAULTS.hfHome,
    hfHomeSource: hf?.[1] ?? 'default',
    ...(flags.exec ?? file.exec ? { exec: flags.exec ?? file.exec } : {}),
    only,
    skip,
    plugins: [...(file.plugins ?? []), ...(flags.plugin ?? [])],
    reports,
    timeoutMs: flags.timeout !== undefined ? positiveInt(flags.timeout, '--timeout') : file.timeout !== undefined ? positiveInt(file.timeout, 'timeout') : DEFAULTS.timeoutMs,
    concurrency:
      flags.concurrency !== undefined ? positiveInt(flags.concurrency, '--concurrency') : file.concurrency !== undefined ? positiveInt(file.concurrency, 'concurrency') : DEFAULTS.concurrency,
    strict: flags.strict ?? file.strict ?? false,
    ...((flags.gatewayVersion ?? flags.gatewayImageTag ?? file.gatewayVersion) ? { gatewayVersion: flags.gatewayVersion ?? flags.gatewayImageTag ?? file.gatewayVersion } : {}),
    ...(flags.targetVersion ?? file.targetVersion ? { targetVersion: flags.targetVersion ?? file.targetVersion } : {}),
    expiryWarnDays:
      flags.expiryWarnDays !== undefined ? positiveInt(flags.expiryWarnDays, '--expiry-warn-days') : file.expiryWarnDays ?? DEFAULTS.expiryWarnDays,
    deep: flags.deep ?? file.deep ?? false,
    deepSeconds: flags.deepSeconds !== undefined ? positiveInt(flags.deepSeconds, '--deep-seconds') : file.deepSeconds ?? DEFAULTS.deepSeconds,
    env,
  });
  if (!file.targets) return settings;
  return { ...settings, installations: await Promise.all(file.targets.map((t) => installation(settings, t, env))) };
}

/** A target's settings: the run's common options, with the target's own URLs, trust, token and runtime. */
async function installation(base: Settings, t: TargetEntry, env: Env): Promise<Installation> {
  const where = `targets '${t.name}'`;
  const token = t.gitlabTokenFile ? await readToken(t.gitlabTokenFile) : env[t.tokenEnv ?? 'GITLAB_TOKEN']?.trim() || undefined;
  const { gitlabUrl: _g, gatewayUrl: _w, gatewayUrlSource: _s, gitlabToken: _t, caFile: _c, exec: _e, installations: _i, ...common } = base;
  return {
    name: t.name,
    settings: {
      ...common,
      ...(t.gitlabUrl ? { gitlabUrl: targetUrl(t.gitlabUrl, `${where} gitlabUrl`, true) } : {}),
      ...(t.gatewayUrl ? { gatewayUrl: targetUrl(t.gatewayUrl, `${where} gatewayUrl`, false), gatewayUrlSource: 'config' as const } : {}),
      ...(token ? { gitlabToken: token } : {}),
      ...(t.caFile ? { caFile: t.caFile } : {}),
      ...(t.exec ? { exec: t.exec } : {}),
      ...(t.tmpDir ? { tmpDir: t.tmpDir } : {}),
      ...(t.hfHome ? { hfHome: t.hfHome, hfHomeSource: 'config' as const } : {}),
      ...(t.gatewayVersion ? { gatewayVersion: t.gatewayVersion } : {}),
    },
  };
}
