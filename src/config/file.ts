// The config file (--config F, JSON or YAML): parsed, with unknown keys rejected by name.
import { readLimited } from '../fs/read-limited.js';
import { UsageError } from './errors.js';
import { errorMessage } from '../error-message.js';
import { closest } from './suggest.js';
import { configKeyOf, OPTIONS, type ConfigType } from './options.js';

/** A config (or token) file larger than this is not one: /dev/zero and its like stop here. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Keys a config file may set, with the type each takes: every option's config key (options.ts), and `targets`. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigType | 'target[]'>> = {
  ...Object.fromEntries(OPTIONS.flatMap((o) => (configKeyOf(o) ? [[configKeyOf(o)!, o.type]] : []))),
  targets: 'target[]',
};

type KeyType = ConfigType | 'target[]';
/** One installation of a multi-target config: a GitLab + gateway pair with its own trust, token and runtime. */
export interface TargetEntry {
  name: string;
  gitlabUrl?: string;
  gatewayUrl?: string;
  caFile?: string;
  gitlabTokenFile?: string;
  /** The environment variable holding this instance's token (default GITLAB_TOKEN). */
  tokenEnv?: string;
  exec?: string;
  tmpDir?: string;
  hfHome?: string;
  gatewayVersion?: string;
}

const TARGET_KEYS: Record<keyof TargetEntry, 'string'> = {
  name: 'string',
  gitlabUrl: 'string',
  gatewayUrl: 'string',
  caFile: 'string',
  gitlabTokenFile: 'string',
  tokenEnv: 'string',
  exec: 'string',
  tmpDir: 'string',
  hfHome: 'string',
  gatewayVersion: 'string',
};

/** A parsed, validated config file: each key holds a value of its declared type (options.ts parses it further). */
export type ConfigFile = Record<string, string | number | boolean | string[] | undefined> & { targets?: TargetEntry[] };

/** Validates a parsed document against CONFIG_KEYS; `where` names the file in messages. */
export function validateConfig(doc: unknown, where: string): ConfigFile {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${where}: expected a mapping of settings at the top level`);
  const known = Object.keys(CONFIG_KEYS);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const type: KeyType | undefined = Object.hasOwn(CONFIG_KEYS, key) ? CONFIG_KEYS[key] : undefined;
    if (!type) {
      const hint = closest(key, known);
      throw new UsageError(`${where}: unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    if (type === 'target[]') {
      out[key] = validateTargets(value, where);
      continue;
    }
    const ok =
      type === 'string[]'
        ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === type;
    if (!ok) throw new UsageError(`${where}: '${key}' must be ${type === 'string[]' ? 'a list of strings' : `a ${type}`}`);
    out[key] = value;
  }
  return out as ConfigFile;
}

function validateTargets(value: unknown, where: string): TargetEntry[] {
  if (!Array.isArray(value) || value.length === 0) throw new UsageError(`${where}: 'targets' must be a non-empty list of installations`);
  const names = new Set<string>();
  return value.map((entry, i) => {
    const at = `${where}: targets[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new UsageError(`${at} must be a mapping`);
    for (const [k, v] of Object.entries(entry)) {
      if (!Object.hasOwn(TARGET_KEYS, k)) {
        const hint = closest(k, Object.keys(TARGET_KEYS));
        throw new UsageError(`${at}: unknown key '${k}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      }
      if (typeof v !== 'string') throw new UsageError(`${at}: '${k}' must be a string`);
    }
    const t = entry as TargetEntry;
    if (!t.name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(t.name)) throw new UsageError(`${at}: 'name' is required (letters, digits, . _ -)`);
    if (names.has(t.name)) throw new UsageError(`${at}: the name '${t.name}' is used twice`);
    names.add(t.name);
    return t;
  });
}

/** Reads and validates a config file; YAML unless it ends in .json (YAML is a superset of JSON anyway). */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  const read = await readLimited(file, MAX_CONFIG_BYTES);
  if (!read.ok) throw new UsageError(`--config ${file}: ${read.failure.message}`);
  const text = read.data.toString('utf8');
  let doc: unknown;
  try {
    if (file.endsWith('.json')) doc = JSON.parse(text);
    // yaml is CommonJS: its module.exports is the default export, in Node and in the code-split bundle alike.
    else doc = (await import('yaml')).default.parse(text);
  } catch (error) {
    const first = errorMessage(error).split('\n')[0];
    throw new UsageError(`--config ${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${first}`);
  }
  return validateConfig(doc, `--config ${file}`);
}
