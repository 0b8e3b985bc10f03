// Every option of `check`, `serve` and `demo`, declared once: its flag, type, parser, environment variable, config key,
// default and help. Commander's options, the config file's keys, the defaults, the precedence (flags > environment >
// config file > defaults) and the README's options table are all derived from this table.
import { REPORT_FORMATS } from '../report/index.js';
import { FLEET_CONCURRENCY } from '../runner/limit.js';
import {
  duration,
  flag,
  list,
  listOf,
  MAX_TIMER_MS,
  nonEmpty,
  oneOf,
  targetUrl,
  version,
  wholeNumber,
  type ParseContext,
  type Raw,
} from './parse.js';

/** The commands an option belongs to. */
export type OptionCommand = 'check' | 'serve' | 'demo' | 'replay';

/** A value's type in a config file. */
export type ConfigType = 'string' | 'number' | 'boolean' | 'string[]';

/** One option. `T` is the parsed value's type. */
export interface OptionSpec<N extends string = string, T = unknown, F extends string = string, C extends ConfigType = ConfigType> {
  /** camelCase name: commander's attribute, the config key (unless `configKey` says otherwise) and the Settings key. */
  name: N;
  /** `--gitlab-url`; `arg` is its placeholder (`<url>`), absent for a switch. */
  flag: F;
  arg?: string;
  help: string;
  /** The environment variable read when the flag is absent. */
  env?: string;
  /** The config file key; `null` when the config file cannot set it. */
  configKey?: string | null;
  /** The config file type; a repeatable flag is a `string[]`. */
  type: C;
  parse(raw: Raw, ctx: ParseContext): T;
  default?: T;
  /** The default as --help and the README show it, when it is not the value itself. */
  defaultText?: string;
  /** Commands that take it (default: check, serve and demo; `replay` takes only the output options). */
  commands?: readonly OptionCommand[];
  /** It names the installation (URL, trust, token, runtime): `demo` brings its own, `targets:` sets it per target. */
  perTarget?: boolean;
}

/** Types one option; with a `default`, its value is never absent. */
function option<const N extends string, T, const F extends string, const C extends ConfigType>(
  spec: OptionSpec<N, T, F, C> & { default: T },
): OptionSpec<N, T, F, C> & { default: T };
function option<const N extends string, T, const F extends string, const C extends ConfigType>(spec: OptionSpec<N, T, F, C>): OptionSpec<N, T, F, C>;
function option(spec: OptionSpec): OptionSpec {
  return spec;
}

const ALL: readonly OptionCommand[] = ['check', 'serve', 'demo'];
/** The options of a command that writes reports of a run, `replay` included. */
const REPORTING: readonly OptionCommand[] = [...ALL, 'replay'];

export const OPTIONS = [
  option({
    name: 'gitlabUrl',
    flag: '--gitlab-url',
    arg: '<url>',
    type: 'string',
    env: 'DUO_DOCTOR_GITLAB_URL',
    perTarget: true,
    parse: targetUrl({ stripApi: true }),
    help: 'GitLab instance URL, its root (not /api/v4)',
  }),
  option({
    name: 'gatewayUrl',
    flag: '--gateway-url',
    arg: '<url>',
    type: 'string',
    env: 'AI_GATEWAY_URL',
    perTarget: true,
    parse: targetUrl(),
    help: "AI gateway URL (else GitLab's own `ai_gateway_url` setting, read with the token)",
  }),
  option({
    name: 'gitlabTokenFile',
    flag: '--gitlab-token-file',
    arg: '<file>',
    type: 'string',
    perTarget: true,
    parse: nonEmpty,
    help: "file holding an administrator's personal access token, else env `GITLAB_TOKEN`; a pipe works (`/dev/stdin`, `<(vault ...)`)",
  }),
  option({
    name: 'caFile',
    flag: '--ca-file',
    arg: '<file>',
    type: 'string',
    perTarget: true,
    parse: nonEmpty,
    help: 'extra CA bundle (PEM) to trust',
  }),
  option({
    name: 'tmpDir',
    flag: '--tmp-dir',
    arg: '<dir>',
    type: 'string',
    parse: nonEmpty,
    default: '/tmp',
    help: 'the temporary directory the gateway writes',
  }),
  option({
    name: 'hfHome',
    flag: '--hf-home',
    arg: '<dir>',
    type: 'string',
    env: 'HF_HOME',
    parse: nonEmpty,
    default: '/home/aigateway/.hf',
    help: "the gateway's `HF_HOME`",
  }),
  option({
    name: 'exec',
    flag: '--exec',
    arg: '<prefix>',
    type: 'string',
    perTarget: true,
    parse: nonEmpty,
    help: 'run runtime probes through a command prefix: `"docker exec gitlab-aigw"`, `"kubectl exec -n ai-gateway deploy/ai-gateway --"`',
  }),
  option({
    name: 'only',
    flag: '--only',
    arg: '<ids|tags|categories>',
    type: 'string[]',
    parse: list,
    default: [] as string[],
    defaultText: 'all',
    help: 'run only these (comma-separated, repeatable); their dependencies run too, so a verdict never changes with the selection',
  }),
  option({
    name: 'skip',
    flag: '--skip',
    arg: '<ids|tags|categories>',
    type: 'string[]',
    parse: list,
    default: [] as string[],
    defaultText: 'none',
    help: 'leave these out (their dependents are skipped, naming them)',
  }),
  option({
    name: 'plugins',
    commands: REPORTING,
    flag: '--plugin',
    arg: '<file>',
    type: 'string[]',
    parse: listOf(nonEmpty),
    default: [] as string[],
    defaultText: 'none',
    help: 'load extra checks from a JavaScript module (default export: a check or an array of checks; repeatable)',
  }),
  option({
    name: 'format',
    commands: REPORTING,
    flag: '--format',
    arg: '<format>',
    type: 'string',
    parse: oneOf(REPORT_FORMATS),
    default: 'text' as const,
    help: `${REPORT_FORMATS.map((f) => `\`${f}\``).join(', ')}`,
  }),
  option({
    name: 'output',
    commands: REPORTING,
    flag: '--output',
    arg: '<file>',
    type: 'string',
    parse: nonEmpty,
    defaultText: 'stdout',
    help: 'write the `--format` output to a file instead of stdout (`-` is stdout)',
  }),
  option({
    name: 'report',
    commands: REPORTING,
    flag: '--report',
    arg: '<format=file>',
    configKey: 'reports',
    type: 'string[]',
    parse: listOf(nonEmpty),
    default: [] as string[],
    defaultText: 'none',
    help: 'also write another format to a file (`-` is stdout; repeatable)',
  }),
  option({
    name: 'quiet',
    commands: REPORTING,
    flag: '--quiet',
    type: 'boolean',
    parse: flag,
    default: false,
    help: 'show only what is not a pass, then the summary (text, table, markdown; the machine formats stay complete)',
  }),
  option({
    name: 'timeoutMs',
    flag: '--timeout',
    arg: '<duration>',
    configKey: 'timeout',
    type: 'number',
    parse: duration('ms', 1),
    default: 10_000,
    defaultText: '10000',
    help: `per-check timeout (ms, or 30s, 2m); a hung check becomes \`error\` while the others finish; at most ${MAX_TIMER_MS} ms`,
  }),
  option({
    name: 'deadlineMs',
    flag: '--deadline',
    arg: '<duration>',
    configKey: 'deadline',
    type: 'number',
    parse: duration('s', 1000),
    defaultText: 'none',
    help: `whole-run deadline (seconds, or 90s, 5m): checks still running become \`error\` naming the check, how long it ran and the stage its probes were in, and every report is still written; at most ${MAX_TIMER_MS} ms`,
  }),
  option({
    name: 'concurrency',
    flag: '--concurrency',
    arg: '<n>',
    type: 'number',
    parse: wholeNumber(1),
    default: Number.POSITIVE_INFINITY,
    defaultText: `every independent check; ${FLEET_CONCURRENCY} with targets`,
    help: 'how many checks run at once (with `targets:` in the config file, across all of them: one cap, the earlier targets first)',
  }),
  option({ name: 'strict', commands: REPORTING, flag: '--strict', type: 'boolean', parse: flag, default: false, help: 'warnings fail the run too' }),
  option({
    name: 'config',
    flag: '--config',
    arg: '<file>',
    type: 'string',
    configKey: null,
    parse: nonEmpty,
    help: 'a YAML or JSON config file; its keys are the config key column; unknown keys are rejected by name (with a did-you-mean)',
  }),
  option({
    name: 'gatewayVersion',
    flag: '--gateway-version',
    arg: '<version>',
    type: 'string',
    parse: nonEmpty,
    help: "the gateway's version or image tag, e.g. `self-hosted-v18.6.0-ee`",
  }),
  option({
    name: 'gatewayImageTag',
    flag: '--gateway-image-tag',
    arg: '<tag>',
    type: 'string',
    configKey: null,
    parse: nonEmpty,
    help: 'the same as `--gateway-version`',
  }),
  option({
    name: 'targetVersion',
    flag: '--target-version',
    arg: '<x.y.z>',
    type: 'string',
    parse: version,
    help: 'the GitLab version you plan to upgrade to (the pre-upgrade gate)',
  }),
  option({
    name: 'expiryWarnDays',
    flag: '--expiry-warn-days',
    arg: '<days>',
    type: 'number',
    parse: wholeNumber(0, 36_500),
    default: 30,
    help: 'warn when a certificate or the license expires within this many days (0: only when expired)',
  }),
  option({
    name: 'deep',
    flag: '--deep',
    type: 'boolean',
    parse: flag,
    default: false,
    help: 'run slow probes too (a stream held open through the proxy)',
  }),
  option({
    name: 'deepSeconds',
    flag: '--deep-seconds',
    arg: '<s>',
    type: 'number',
    parse: wholeNumber(1, Math.floor(MAX_TIMER_MS / 1000)),
    default: 75,
    help: 'how long `--deep` holds a stream open, in seconds',
  }),
  option({
    name: 'record',
    flag: '--record',
    arg: '<dir>',
    type: 'string',
    commands: ['check', 'demo'],
    parse: nonEmpty,
    help: 'also write a recording of the run to this directory (the facts each check gathered, every HTTP exchange as HAR 1.2, the certificate chains; secrets removed) for `duo-doctor replay`',
  }),
  option({
    name: 'bundle',
    flag: '--bundle',
    arg: '<file>',
    type: 'string',
    commands: ['check', 'demo'],
    parse: nonEmpty,
    help: 'also write a support bundle to this .tar.gz: the text and JSON reports, the recording, and a README saying what was removed',
  }),
  option({
    name: 'port',
    flag: '--port',
    arg: '<port>',
    type: 'number',
    configKey: null,
    commands: ['serve'],
    parse: wholeNumber(0, 65_535),
    default: 9400,
    help: 'port to listen on (0: any free port)',
  }),
  option({
    name: 'host',
    flag: '--host',
    arg: '<host>',
    type: 'string',
    configKey: null,
    commands: ['serve'],
    parse: nonEmpty,
    default: '127.0.0.1',
    help: 'address to listen on; `0.0.0.0` exposes /results (internal URLs) to the network',
  }),
  option({
    name: 'intervalMs',
    flag: '--interval',
    arg: '<duration>',
    configKey: null,
    type: 'number',
    commands: ['serve'],
    parse: duration('s', 1000),
    default: 60_000,
    defaultText: '60s',
    help: `time between runs (seconds, or 30s, 5m); at most ${MAX_TIMER_MS} ms`,
  }),
] as const;

export type AnyOption = (typeof OPTIONS)[number];
type Parsed<O> = O extends { parse(raw: Raw, ctx: ParseContext): infer T } ? T : never;
type WithDefault = Extract<AnyOption, { default: unknown }>;

/** Every option's value after precedence: options with a default always have one. */
export type OptionValues = { [O in WithDefault as O['name']]: Parsed<O> } & { [O in Exclude<AnyOption, WithDefault> as O['name']]?: Parsed<O> };

/** The options `command` takes. */
export function optionsOf(command: OptionCommand): AnyOption[] {
  return OPTIONS.filter((o) => ((o as OptionSpec).commands ?? ALL).includes(command));
}

/** The config file key of an option, or undefined when the file cannot set it. */
export function configKeyOf(o: OptionSpec): string | undefined {
  return o.configKey === null ? undefined : (o.configKey ?? o.name);
}

/** The commander attribute name of a flag: `--gitlab-url` → `gitlabUrl`. */
export function flagAttribute(o: OptionSpec): string {
  return o.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The flag as users type it, with its placeholder. */
export function flagUsage(o: OptionSpec): string {
  return o.arg ? `${o.flag} ${o.arg}` : o.flag;
}

/** The default as help shows it. */
export function defaultLabel(o: OptionSpec): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default === undefined || o.default === false) return undefined;
  return String(o.default);
}
