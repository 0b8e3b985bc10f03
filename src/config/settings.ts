// The resolved configuration of one run: every option after flags > env > config file > defaults (declared once in
// options.ts), plus what the loader composes from them (reports, the token) and the environment.
import type { ReportFormat } from '../report/index.js';
import { OPTIONS, type AnyOption, type OptionValues } from './options.js';

/** Where a value came from, so reports can say it ("gateway URL from AI_GATEWAY_URL"). */
export type Source = 'flag' | 'env' | 'config' | 'default' | 'gitlab';

/** An environment as the gateway would see it: this process's, or the container's under `--exec`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One output to write: a format, to stdout (`file` undefined) or to a file. */
export interface ReportTarget {
  format: ReportFormat;
  file?: string;
}

/** Options that only feed other settings (reports, the token, the gateway version) or belong to serve alone. */
type Composed = 'format' | 'output' | 'report' | 'config' | 'gitlabTokenFile' | 'gatewayImageTag' | 'port' | 'host' | 'intervalMs';

/** Everything a run needs. Secrets (`gitlabToken`) are held here and nowhere else. */
export type Settings = Omit<OptionValues, Composed> & {
  gatewayUrlSource?: Source;
  hfHomeSource: Source;
  /** Admin personal access token: only from the token variable or --gitlab-token-file. Never printed. */
  gitlabToken?: string;
  /** Where the token was looked for when there is none: the variable a target names (`tokenEnv`), else GITLAB_TOKEN. */
  tokenSource?: string;
  reports: ReportTarget[];
  /**
   * Ports on the gateway URL's host where the gateway itself may listen behind a TLS proxy (gateway-exposure probes them in
   * plain http); default 5052 (the gateway) and 50052 (the Duo Workflow Service). Set by the reference stack, not a flag.
   */
  gatewayDirectPorts?: readonly number[];
  /** The environment read for gateway settings (AIGW_*, SSL_CERT_FILE, proxies, ...). */
  env: Env;
  /** Several installations from the config file's `targets:`, each with its own settings; absent for a single-target run. */
  installations?: Installation[];
};

/** One named installation of a multi-target run. */
export interface Installation {
  name: string;
  settings: Settings;
}

type WithDefault = Extract<AnyOption, { default: unknown }>;

/** Every option's default, from the option table. */
export const DEFAULTS = Object.fromEntries(OPTIONS.filter((o) => 'default' in o).map((o) => [o.name, (o as WithDefault).default])) as {
  readonly [O in WithDefault as O['name']]: O['default'];
};

/** Settings with every default and no targets: the base that tests and the loader build on. */
export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    tmpDir: DEFAULTS.tmpDir,
    hfHome: DEFAULTS.hfHome,
    hfHomeSource: 'default',
    only: [],
    skip: [],
    plugins: [],
    reports: [],
    quiet: DEFAULTS.quiet,
    timeoutMs: DEFAULTS.timeoutMs,
    concurrency: DEFAULTS.concurrency,
    strict: DEFAULTS.strict,
    expiryWarnDays: DEFAULTS.expiryWarnDays,
    deep: DEFAULTS.deep,
    deepSeconds: DEFAULTS.deepSeconds,
    env: {},
    ...overrides,
  };
}
