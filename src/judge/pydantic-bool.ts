// How the AI gateway (pydantic-settings) reads a boolean environment variable such as AIGW_CUSTOM_MODELS__ENABLED or
// AIGW_AUTH__BYPASS_EXTERNAL: pydantic v2's str → bool, case-insensitive, surrounding whitespace ignored.

const TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** true or false as the gateway reads `value`; undefined when unset, or when pydantic would refuse it (the gateway fails to start). */
export function pydanticBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}
