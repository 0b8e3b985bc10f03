// GitLab API bodies as GitLab writes them (shapes from GitLab's API docs and spec fixtures; see fixtures/gitlab-api/).
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD`, `days` from today (UTC), as GitLab writes license dates. */
export const dateIn = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

/** GET /api/v4/metadata of an EE instance (valid against GitLab's metadata.schema.json). */
export const METADATA_EE = {
  version: '18.6.0-ee',
  revision: 'ceb07b24cb0',
  kas: { enabled: true, externalUrl: 'wss://gitlab.example.com/-/kubernetes-agent/', version: '18.6.0' },
  enterprise: true,
};

/** The same instance as the Community Edition. */
export const METADATA_CE = { ...METADATA_EE, version: '18.6.0', enterprise: false };

/** GET /api/v4/user for an administrator (is_admin is only shown to administrators). */
export const USER_ADMIN = {
  id: 1,
  username: 'root',
  name: 'Administrator',
  state: 'active',
  locked: false,
  avatar_url: null,
  web_url: 'https://gitlab.example.com/root',
  created_at: '2024-01-01T00:00:00.000Z',
  is_admin: true,
  two_factor_enabled: false,
  external: false,
  private_profile: false,
};

/** GET /api/v4/user for a regular user: no is_admin field at all. */
export const USER_REGULAR = (({ is_admin: _isAdmin, ...rest }) => ({ ...rest, id: 2, username: 'alice', name: 'Alice' }))(USER_ADMIN);

/** GET /api/v4/license, the documented example with dates moved to `expiresInDays` from today. */
export function license(expiresInDays: number | null, overrides: Record<string, unknown> = {}) {
  return {
    id: 1,
    plan: 'ultimate',
    created_at: '2018-02-27T23:21:58.674Z',
    starts_at: dateIn(-300),
    expires_at: expiresInDays === null ? null : dateIn(expiresInDays),
    historical_max: 300,
    maximum_user_count: 300,
    expired: expiresInDays !== null && expiresInDays < 0,
    overage: 200,
    user_limit: 100,
    active_users: 50,
    licensee: { Name: 'John Doe1' },
    add_ons: { GitLab_FileLocks: 1, GitLab_Auditor_User: 1 },
    ...overrides,
  };
}

/** Grape's error bodies. */
export const UNAUTHORIZED = { message: '401 Unauthorized' };
export const FORBIDDEN = { message: '403 Forbidden' };
export const INSUFFICIENT_SCOPE = {
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the access token.',
  scope: 'api read_api',
};

/** One of GitLab's health-check probe results. */
export const probe = (name: string, success: boolean, message: string, errors: string[] = success ? [] : [message]) => ({
  name,
  success,
  message,
  errors,
  details: {},
});

/** `cloudConnectorStatus` data for the self-hosted probe set. */
export function connectorStatus(overrides: Record<string, ReturnType<typeof probe>> = {}) {
  const probes = [
    probe('ai_gateway_url_presence_probe', true, 'Self hosted AI Gateway URL is set.'),
    probe('host_probe', true, 'aigw.example.com reachable.'),
    probe('code_suggestions_license_probe', true, 'License includes access to Code Suggestions.'),
    probe('end_to_end_probe', true, 'Authentication with the AI gateway services succeeded.'),
  ].map((p) => overrides[p.name] ?? p);
  return { cloudConnectorStatus: { success: probes.every((p) => p.success), probeResults: probes } };
}

/** A completion as the gateway answers it (relayed unchanged by GitLab's Workhorse). */
export const COMPLETION = {
  id: 'id',
  model: { engine: 'vllm', name: 'codestral', lang: 'ruby' },
  object: 'text_completion',
  created: 1_700_000_000,
  choices: [{ text: '\n  puts "Hello, world!"\nend', index: 0, finish_reason: 'length' }],
};
