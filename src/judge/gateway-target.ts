// Which gateway URL a check exercised, said the same way by every gateway-side check: GitLab uses only its own
// ai_gateway_url setting (ee/lib/gitlab/ai_gateway.rb self_hosted_url, flyisland/gitlab-ee 6714c9136), so a check run
// against another URL (--gateway-url, AI_GATEWAY_URL, the config file) must say so, or its verdict reads as GitLab's.
import type { Judgement, Messages } from '../check.js';
import { redactUrl } from '../redact.js';
import { targetSourceName, type GatewayTarget } from '../probes/gitlab-api.js';

/** The facts a gateway-side check adds so its judgement can name the URL it exercised (absent in older recordings). */
export interface TargetFacts {
  target?: GatewayTarget;
}

/** Lines naming the URL exercised and GitLab's own setting, when the two differ; nothing when they agree or GitLab's is unknown. */
export function exercisedLines(target: GatewayTarget | undefined): string[] {
  if (!target?.url || target.source === 'gitlab-setting') return [];
  const setting = target.gitlabSetting;
  const checked = `Exercised ${redactUrl(target.url)} (from ${targetSourceName(target)})`;
  if (setting.state === 'blank') return [`${checked}; GitLab's own AI gateway URL setting is blank, so GitLab sends nothing there (see gateway-url)`];
  if (setting.state === 'set' && setting.url.replace(/\/+$/, '') !== target.url.replace(/\/+$/, '')) {
    return [`${checked}, not ${redactUrl(setting.url)}, the URL GitLab itself uses (see gateway-url)`];
  }
  return [];
}

/** A judge whose details open with `exercisedLines` for its facts' target. */
export function namingTarget<F extends TargetFacts, M extends Messages>(judge: (facts: F) => Judgement<M>): (facts: F) => Judgement<M> {
  return (facts) => {
    const judgement = judge(facts);
    const lines = exercisedLines(facts.target);
    return lines.length ? { ...judgement, details: [...lines, ...(judgement.details ?? [])] } : judgement;
  };
}
