// Resolves Settings from the option table (options.ts): for each option the flag, else its environment variable, else
// the config file, else its default — parsed by the option's own parser, so every source is validated the same way.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { UsageError } from './errors.js';
import { readConfigFile, type ConfigFile, type TargetEntry } from './file.js';
import { configKeyOf, flagAttribute, optionsOf, type AnyOption, type OptionCommand, type OptionSpec, type OptionValues } from './options.js';
import { headerSafeToken, targetUrl, type ParseContext, type Raw } from './parse.js';
import { defaultSettings, type Env, type Installation, type ReportTarget, type Settings, type Source } from './settings.js';
import { readTokenFile } from './token-file.js';

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type FlagValue<O> = O extends { type: 'boolean' } ? boolean : O extends { type: 'string[]' } ? readonly string[] : string;

/** The flags of `check`, `serve` and `demo` as commander parses them (attribute names from the option table). */
export type CheckFlags = { [O in AnyOption as O['flag'] extends `--${infer R}` ? Camel<R> : never]?: FlagValue<O> };

/** The variable a run reads the token from when no token file is given. */
export const TOKEN_ENV = 'GITLAB_TOKEN';

/** A resolved run: its Settings, every option's value (serve reads its own), and notes for stderr. */
export interface LoadedRun {
  settings: Settings;
  values: OptionValues;
  /** Where each option's value came from (absent: not given, no default). */
  sources: Partial<Record<string, Source>>;
  notes: string[];
}

/** Picks each option's value by precedence and parses it; `sources` says where each came from. */
function resolveOptions(command: OptionCommand, flags: CheckFlags, env: Env, file: ConfigFile, configName: string | undefined, notes: string[]) {
  const values: Record<string, unknown> = {};
  const sources: Partial<Record<string, Source>> = {};
  for (const o of optionsOf(command) as OptionSpec[]) {
    const key = configKeyOf(o);
    const fromFlag = (flags as Record<string, Raw | undefined>)[flagAttribute(o)];
    // An empty variable counts as unset (the shell convention); an empty flag value is a mistake and its parser says so.
    const fromEnv = o.env && env[o.env] !== undefined && env[o.env]!.trim() !== '' ? env[o.env] : undefined;
    const fromFile = key !== undefined ? file[key] : undefined;
    const candidates: [Raw | undefined, Source, string][] = [
      [fromFlag, 'flag', o.flag],
      [fromEnv, 'env', o.env ?? ''],
      [fromFile, 'config', `--config ${configName}: ${key}`],
    ];
    const found = candidates.find(([raw]) => raw !== undefined);
    if (found) {
      const ctx: ParseContext = { where: found[2], note: (m) => notes.push(m) };
      values[o.name] = o.parse(found[0]!, ctx);
      sources[o.name] = found[1];
    } else if ('default' in o) {
      values[o.name] = o.default;
      sources[o.name] = 'default';
    }
  }
  return { values: values as OptionValues, sources };
}

/** `FORMAT=FILE`; `-` (or no file for --output) is stdout. */
function reportTarget(spec: string): ReportTarget {
  const eq = spec.indexOf('=');
  const format = eq > 0 ? spec.slice(0, eq) : '';
  const file = eq > 0 ? spec.slice(eq + 1) : '';
  if (!isReportFormat(format) || !file)
    throw new UsageError(`--report ${spec}: expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')} (FILE - is stdout)`);
  return file === '-' ? { format } : { format, file };
}

function composeReports(values: OptionValues): ReportTarget[] {
  const reports: ReportTarget[] = [
    { format: values.format as ReportFormat, ...(values.output !== undefined && values.output !== '-' ? { file: values.output } : {}) },
    ...values.report.map(reportTarget),
  ];
  if (reports.filter((r) => r.file === undefined).length > 1)
    throw new UsageError('two outputs write to stdout (--format without --output, and --report FORMAT=-): send all but one to a file');
  const files = reports.flatMap((r) => (r.file ? [r.file] : []));
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup) throw new UsageError(`${dup} is named by two outputs (--output/--report): give each format its own file`);
  return reports;
}

/** Finds an unwritable output file now, not after the whole run; `what` names it in the error. */
async function assertWritableFile(file: string, what: string): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`cannot write ${what} to ${file}: it is a directory`);
  const target = existing ? file : path.dirname(path.resolve(file));
  try {
    await access(target, constants.W_OK);
  } catch (error) {
    throw new UsageError(`cannot write ${what} to ${file}: ${whyUnwritable(error)}`);
  }
}

function whyUnwritable(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
}

/** Finds an unwritable report, recording or bundle path now, not after the whole run (the recording's directory is made here). */
async function assertWritable(reports: readonly ReportTarget[], record: string | undefined, bundle: string | undefined): Promise<void> {
  for (const { file, format } of reports) if (file !== undefined) await assertWritableFile(file, `the ${format} report`);
  if (bundle !== undefined) await assertWritableFile(bundle, 'the support bundle');
  if (record === undefined) return;
  try {
    await mkdir(record, { recursive: true });
    await access(record, constants.W_OK);
  } catch (error) {
    throw new UsageError(`cannot write the recording to ${record}: ${whyUnwritable(error)}`);
  }
}

/** The token: from the token file, else the variable `variable`; refused when no header can carry it. */
async function readToken(tokenFile: string | undefined, variable: string, env: Env): Promise<{ gitlabToken?: string; tokenSource: string }> {
  if (tokenFile)
    return {
      gitlabToken: headerSafeToken(await readTokenFile(tokenFile), `--gitlab-token-file ${tokenFile}`),
      tokenSource: `--gitlab-token-file ${tokenFile}`,
    };
  const raw = env[variable]?.trim();
  return raw ? { gitlabToken: headerSafeToken(raw, variable), tokenSource: variable } : { tokenSource: variable };
}

/** Resolves a run of `command`: settings, option values and notes. `env` is the environment (process.env in the CLI). */
export async function loadRun(flags: CheckFlags, env: Env, command: OptionCommand = 'check'): Promise<LoadedRun> {
  const notes: string[] = [];
  const configFlag = (flags as { config?: string }).config;
  if (configFlag !== undefined && configFlag.trim() === '')
    throw new UsageError('--config is empty (an unset variable in a script?): give a file or leave the option out');
  const file: ConfigFile = configFlag ? await readConfigFile(configFlag) : {};
  const { values, sources } = resolveOptions(command, flags, env, file, configFlag, notes);

  if (values.gatewayVersion && values.gatewayImageTag && values.gatewayVersion !== values.gatewayImageTag) {
    throw new UsageError('--gateway-version and --gateway-image-tag disagree: give one of them');
  }
  // replay takes neither option: its values are absent.
  const clash = values.only?.find((o) => values.skip?.includes(o));
  if (clash) throw new UsageError(`--only and --skip both name ${clash}`);
  const reports = composeReports(values);
  await assertWritable(reports, values.record, values.bundle);

  if (file.targets) {
    const given = optionsOf(command).find((o) => (o as OptionSpec).perTarget && sources[o.name] === 'flag');
    if (given) throw new UsageError(`${given.flag} conflicts with 'targets' in the config file: set it per target`);
  }

  const { format: _f, output: _o, report: _r, config: _c, gitlabTokenFile, gatewayImageTag, port: _p, host: _h, intervalMs: _i, ...common } = values;
  const gatewayVersion = values.gatewayVersion ?? gatewayImageTag;
  const settings = defaultSettings({
    ...common,
    ...(gatewayVersion ? { gatewayVersion } : {}),
    ...(values.gatewayUrl ? { gatewayUrlSource: sources.gatewayUrl } : {}),
    hfHomeSource: sources.hfHome ?? 'default',
    reports,
    ...(await readToken(gitlabTokenFile, TOKEN_ENV, env)),
    env,
  });
  if (!file.targets) return { settings, values, sources, notes };
  const installations = await Promise.all(file.targets.map((t) => installation(settings, t, env, notes)));
  return { settings: { ...settings, installations }, values, sources, notes };
}

/** Builds the run's Settings for `check`. */
export async function loadSettings(flags: CheckFlags, env: Env): Promise<Settings> {
  return (await loadRun(flags, env, 'check')).settings;
}

/** A target's settings: the run's common options, with the target's own URLs, trust, token and runtime. */
async function installation(base: Settings, t: TargetEntry, env: Env, notes: string[]): Promise<Installation> {
  const ctx = (key: string): ParseContext => ({ where: `targets '${t.name}' ${key}`, note: (m) => notes.push(m) });
  const {
    gitlabUrl: _g,
    gatewayUrl: _w,
    gatewayUrlSource: _s,
    gitlabToken: _t,
    tokenSource: _ts,
    caFile: _c,
    exec: _e,
    installations: _i,
    ...common
  } = base;
  for (const [key, value] of Object.entries(t)) {
    if (value === '') throw new UsageError(`targets '${t.name}' ${key} is empty: give a value or leave the key out`);
  }
  return {
    name: t.name,
    settings: {
      ...common,
      ...(t.gitlabUrl ? { gitlabUrl: targetUrl({ stripApi: true })(t.gitlabUrl, ctx('gitlabUrl')) } : {}),
      ...(t.gatewayUrl ? { gatewayUrl: targetUrl()(t.gatewayUrl, ctx('gatewayUrl')), gatewayUrlSource: 'config' as const } : {}),
      ...(await readToken(t.gitlabTokenFile, t.tokenEnv ?? TOKEN_ENV, env)),
      ...(t.caFile ? { caFile: t.caFile } : {}),
      ...(t.exec ? { exec: t.exec } : {}),
      ...(t.tmpDir ? { tmpDir: t.tmpDir } : {}),
      ...(t.hfHome ? { hfHome: t.hfHome, hfHomeSource: 'config' as const } : {}),
      ...(t.gatewayVersion ? { gatewayVersion: t.gatewayVersion } : {}),
    },
  };
}
