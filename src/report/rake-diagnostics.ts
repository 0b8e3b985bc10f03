// The rake task's side of the text report, derived from the RunResult alone: GitLab's version (hence the rake variant),
// the step heading each check stands for, and the DIAGNOSTIC SUMMARY keys (`system`, `ai_gateway_url`, `license`, ...).
import { rakeEra, rakeWording, type RakeEra, type RakeKey, type RakeWording } from '../judge/rake.js';
import type { CheckResult, RunResult, Status } from '../model.js';

/** The check that answers each step of the rake task (a check may carry several steps' diagnostics in its evidence). */
const CHECK_OF_STEP: Partial<Record<RakeKey, string>> = {
  ai_gateway_url: 'gateway-url',
  transport_connectivity: 'gateway-reachable',
  license: 'license',
  ai_gateway_health: 'gateway-health',
  self_hosted_models: 'feature-settings',
  feature_settings: 'feature-settings',
  request_flow: 'model-endpoints',
  agent_platform_websocket: 'proxy-upgrade',
};

/** The rake task's status words. */
const RAKE_STATUS: Record<Status, string> = { pass: 'OK', warn: 'WARNING', fail: 'ERROR', error: 'ERROR', skip: 'SKIPPED' };

const evidenceString = (r: CheckResult | undefined, key: string): string | undefined => {
  const value = r?.evidence?.[key];
  return typeof value === 'string' && value ? value : undefined;
};

/** GitLab's version as the results report it (gateway-url, gitlab-reachable, version-match, ...), if any did. */
export function gitlabVersionOf(results: readonly CheckResult[]): string | undefined {
  for (const r of results) {
    const version = evidenceString(r, 'gitlabVersion') ?? (r.id === 'gitlab-reachable' ? evidenceString(r, 'version') : undefined);
    if (version) return version;
  }
  return undefined;
}

/** The rake variant the results speak for. */
export function wordingFor(results: readonly CheckResult[]): RakeWording {
  return rakeWording(rakeEra(gitlabVersionOf(results)));
}

/** The heading line of the rake step a check stands for in this variant (printed before the check), if any. */
export function stepHeading(wording: RakeWording, checkId: string): string | undefined {
  const steps = wording.steps.filter((s) => CHECK_OF_STEP[s.key] === checkId);
  return steps.length ? steps.map((s) => s.heading).join(' / ') : undefined;
}

/** The diagnostics a check carries for a step (its evidence.rakeDiagnostics), else its verdict in the rake's words. */
function stepDiagnostics(key: RakeKey, results: readonly CheckResult[]): unknown {
  const id = CHECK_OF_STEP[key];
  const result = results.find((r) => r.id === id);
  if (!result) return { status: 'SKIPPED', reason: id ? `${id} did not run` : 'not checked by duo-doctor' };
  const carried = (result.evidence?.['rakeDiagnostics'] as Record<string, unknown> | undefined)?.[key];
  return carried ?? { status: RAKE_STATUS[result.status], check: result.id, summary: result.summary };
}

/** The DIAGNOSTIC SUMMARY's rake keys for one installation, in the order of its variant. */
export function rakeDiagnostics(run: Pick<RunResult, 'startedAt' | 'targets'>, results: readonly CheckResult[]): Record<string, unknown> {
  const version = gitlabVersionOf(results);
  const era: RakeEra = rakeEra(version);
  const license = results.find((r) => r.id === 'license');
  const diagnostics: Record<string, unknown> = {};
  for (const { key } of rakeWording(era).steps) {
    diagnostics[key] =
      key === 'system'
        ? {
            gitlab_version: version ?? null,
            timestamp: run.startedAt,
            user: evidenceString(license, 'user') ?? null,
            instance_url: run.targets.gitlab ?? null,
          }
        : stepDiagnostics(key, results);
  }
  return diagnostics;
}
