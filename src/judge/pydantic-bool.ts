// How the AI gateway's settings library reads a boolean environment variable: one reading for every check and the
// reference gateway alike. The gateway's settings are pydantic-settings models (ai_gateway/config.py); a `bool` field
// is validated by pydantic-core's str_as_bool: "0"/"1" exactly, and f/n/no/off/false or t/y/on/yes/true in any ASCII
// case, nothing trimmed. Anything else (an empty string included: pydantic-settings does not ignore empty values by
// default) fails validation, and the gateway does not start.

/** What a variable's value means to the gateway. */
export type PydanticBool =
  | { kind: 'unset' }
  | { kind: 'bool'; value: boolean }
  /** Not a boolean to pydantic: the gateway exits at start with "Input should be a valid boolean, unable to interpret input". */
  | { kind: 'invalid'; raw: string };

const FALSE = new Set(['f', 'n', 'no', 'off', 'false']);
const TRUE = new Set(['t', 'y', 'on', 'yes', 'true']);

/** Reads one environment value as pydantic does. */
export function parsePydanticBool(raw: string | undefined): PydanticBool {
  if (raw === undefined) return { kind: 'unset' };
  // Only ASCII letters fold: str.eq_ignore_ascii_case.
  const folded = raw.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (raw === '0' || FALSE.has(folded)) return { kind: 'bool', value: false };
  if (raw === '1' || TRUE.has(folded)) return { kind: 'bool', value: true };
  return { kind: 'invalid', raw };
}

/** true or false as the gateway reads `raw`; undefined when unset, or when pydantic refuses it (the gateway does not start). */
export function pydanticBool(raw: string | undefined): boolean | undefined {
  const parsed = parsePydanticBool(raw);
  return parsed.kind === 'bool' ? parsed.value : undefined;
}

/**
 * Looks a variable up as pydantic-settings does (case_sensitive=False by default: `aigw_auth__bypass_external` counts
 * too). When several spellings are set, the exact upper-case one is taken first.
 */
export function envLookup(env: Readonly<Record<string, string | undefined>>, name: string): { name: string; value: string } | undefined {
  if (env[name] !== undefined) return { name, value: env[name] as string };
  const wanted = name.toLowerCase();
  const key = Object.keys(env).find((k) => k.toLowerCase() === wanted && env[k] !== undefined);
  return key === undefined ? undefined : { name: key, value: env[key] as string };
}
