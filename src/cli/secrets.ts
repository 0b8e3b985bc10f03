// Every secret a run holds (the GitLab token of the run and of each installation), for output redaction.
import type { Settings } from '../config/settings.js';

export function secretsOf(settings: Settings): string[] {
  return [settings.gitlabToken, ...(settings.installations ?? []).map((i) => i.settings.gitlabToken)].filter((t): t is string => !!t);
}
