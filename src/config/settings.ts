// The resolved configuration of one run: every option after flags > env > config file, with its defaults.
import type { ReportFormat } from '../report/index.js';

/** Where a value came from, so reports can say it ("gateway URL from AI_GATEWAY_URL"). */
export type Source = 'flag' | 'env' | 'config' | 'default' | 'gitlab';

/** An environment as the gateway would see it: this process's, or the container's under `--exec`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One output to write: a format, to stdout (`file` undefined) or to a file. */
export interface ReportTarget {
  format: ReportFormat;
  file?: string;
}

/** Everything a run needs. Secrets (`gitlabToken`) are held here and nowhere else. */
export interface Settings {
  gitlabUrl?: string;
  gatewayUrl?: string;
  gatewayUrlSource?: Source;
  /** Admin personal access token: only from GITLAB_TOKEN or --gitlab-token-file. Never printed. */
  gitlabToken?: string;
  caFile?: string;
  tmpDir: string;
  hfHome: string;
  hfHomeSource: Source;
  /** Command prefix that runs runtime probes where the gateway runs (e.g. `docker exec gitlab-aigw`). */
  exec?: string;
  only: string[];
  skip: string[];
  plugins: string[];
  reports: ReportTarget[];
  timeoutMs: number;
  /** Checks run at once; Infinity = every independent check together. */
  concurrency: number;
  strict: boolean;
  gatewayVersion?: string;
  /**
   * Ports on the gateway URL's host where the gateway itself may listen behind a TLS proxy (gateway-exposure probes them in
   * plain http); default 5052 (the gateway) and 50052 (the Duo Workflow Service). Set by the reference stack, not a flag.
   */
  gatewayDirectPorts?: readonly number[];
  targetVersion?: string;
  expiryWarnDays: number;
  deep: boolean;
  deepSeconds: number;
  /** The environment read for gateway settings (AIGW_*, SSL_CERT_FILE, proxies, ...). */
  env: Env;
  /** Several installations from the config file's `targets:`, each with its own settings; absent for a single-target run. */
  installations?: Installation[];
}

/** One named installation of a multi-target run. */
export interface Installation {
  name: string;
  settings: Settings;
}

/** Documented defaults (DESIGN.md, the install guide). */
export const DEFAULTS = {
  tmpDir: '/tmp',
  hfHome: '/home/aigateway/.hf',
  timeoutMs: 10_000,
  concurrency: Number.POSITIVE_INFINITY,
  expiryWarnDays: 30,
  deepSeconds: 75,
} as const;

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
    timeoutMs: DEFAULTS.timeoutMs,
    concurrency: DEFAULTS.concurrency,
    strict: false,
    expiryWarnDays: DEFAULTS.expiryWarnDays,
    deep: false,
    deepSeconds: DEFAULTS.deepSeconds,
    env: {},
    ...overrides,
  };
}
