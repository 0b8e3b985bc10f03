// model-endpoints: each self-hosted model GitLab knows answers `GET <endpoint>/v1/models`, as the rake task tests it.
import { defineCheck, type CheckContext } from '../src/check.js';
import { combineFindings, type Finding } from '../src/findings.js';
import { gitlabGraphqlFirst } from '../src/probes/gitlab-api.js';
import { httpRequest, parseJson, type HttpExchange } from '../src/probes/http.js';
import { gatewayTrust } from '../src/probes/trust.js';
import { redactUrl } from '../src/redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../src/version.js';

/** `aiSelfHostedModels` as GitLab serves it (identifier and releaseState are newer fields; the API never exposes the API key). */
const MODEL_QUERIES = [
  '{ aiSelfHostedModels { nodes { name model endpoint hasApiToken identifier releaseState } } }',
  '{ aiSelfHostedModels { nodes { name model endpoint hasApiToken } } }',
];

/** The rake task's timeout for a model endpoint. */
const MODEL_TIMEOUT_MS = 10_000;

/** Values pydantic reads as true / false for a boolean setting such as AIGW_CUSTOM_MODELS__ENABLED. */
const TRUE = /^(1|on|t|true|y|yes)$/i;

interface Model {
  name: string;
  model: string;
  endpoint: string;
  hasApiToken: boolean;
  identifier?: string;
  releaseState?: string;
}

function models(data: unknown): Model[] | undefined {
  const nodes = (data as { aiSelfHostedModels?: { nodes?: unknown } | null }).aiSelfHostedModels?.nodes;
  if (!Array.isArray(nodes)) return undefined;
  return nodes.map((n: Record<string, unknown>) => ({
    name: String(n.name ?? 'unnamed'),
    model: String(n.model ?? '?'),
    endpoint: typeof n.endpoint === 'string' ? n.endpoint.trim() : '',
    hasApiToken: n.hasApiToken === true,
    identifier: typeof n.identifier === 'string' && n.identifier ? n.identifier : undefined,
    releaseState: typeof n.releaseState === 'string' ? n.releaseState : undefined,
  }));
}

/** The models URL for an endpoint: `<endpoint>/v1/models`, or `<endpoint>/models` when the endpoint already ends in /v1. */
export function modelsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/models` : `${base}/v1/models`;
}

/**
 * Why a model is not probed, or undefined when it is: only http(s) endpoints of OpenAI-compatible servers serve /v1/models.
 * An identifier with a provider prefix other than `custom_openai/` (bedrock/, azure/, ...) names a cloud provider; a plain
 * model name or no identifier is a self-hosted server (vLLM, Ollama, ...), probed like `custom_openai/` ones.
 */
function notProbed(m: Model): string | undefined {
  if (!/^https?:\/\//i.test(m.endpoint)) return m.endpoint ? `endpoint ${m.endpoint} is not http(s)` : 'no endpoint (a cloud provider)';
  const provider = m.identifier ? /^([\w-]+)\//.exec(m.identifier)?.[1] : undefined;
  if (provider && provider !== 'custom_openai') return `identifier ${m.identifier} names provider ${provider}, not an OpenAI-compatible server`;
  return undefined;
}

function label(m: Model): string {
  return `${m.name} (${m.model})`;
}

/** The served model ids of a /v1/models answer (OpenAI's `{ data: [{ id }] }`). */
function servedIds(ex: HttpExchange): string[] {
  if (!ex.ok) return [];
  const parsed = parseJson(ex.response);
  const data = parsed.ok ? (parsed.value as { data?: unknown } | null)?.data : undefined;
  return Array.isArray(data) ? data.map((d: { id?: unknown }) => d?.id).filter((id): id is string => typeof id === 'string') : [];
}

/** Probes one model endpoint and judges the answer. */
async function probeModel(ctx: CheckContext, m: Model, ca: string[]): Promise<{ finding: Finding; line: string; httpStatus?: number }> {
  const url = modelsUrl(m.endpoint);
  const shown = redactUrl(url);
  const ex = await httpRequest({
    url,
    headers: { accept: 'application/json', 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}` },
    ca,
    timeoutMs: Math.min(MODEL_TIMEOUT_MS, ctx.settings.timeoutMs),
    proxyEnv: ctx.settings.env,
    signal: ctx.signal,
  });
  if (!ex.ok) {
    return {
      finding: {
        status: 'fail',
        summary: `Model ${label(m)} is unreachable at ${shown}: ${ex.failure.message}`,
        fix: `Start the model server for ${m.name}, or correct its endpoint at Admin > GitLab Duo Self-Hosted; it must be reachable from the AI gateway.`,
      },
      line: `✗ ${label(m)}: ${shown} — ${ex.failure.kind}: ${ex.failure.message}`,
    };
  }
  const { status } = ex.response;
  const head = `${label(m)}: ${shown} answered HTTP ${status} in ${ex.response.elapsedMs} ms`;
  if (status === 401 || status === 403) {
    const line = `${head} — reachable; it needs its API token (GitLab ${m.hasApiToken ? 'has one configured' : 'has none configured'})`;
    if (m.hasApiToken) return { finding: { status: 'pass', summary: line }, line: `✔ ${line}`, httpStatus: status };
    return {
      finding: {
        status: 'warn',
        summary: `Model ${label(m)} requires an API token, but GitLab has none configured for it`,
        fix: `Set the model's API key at Admin > GitLab Duo Self-Hosted > ${m.name} > Edit; the gateway sends it to the model server.`,
      },
      line: `⚠ ${line}`,
      httpStatus: status,
    };
  }
  if (status >= 400) {
    return {
      finding: {
        status: 'warn',
        summary: `Model ${label(m)} answered ${shown} with HTTP ${status}`,
        fix: `Check the endpoint of ${m.name} (an OpenAI-compatible server serves /v1/models) and the model server's logs.`,
      },
      line: `⚠ ${head}`,
      httpStatus: status,
    };
  }
  const ids = servedIds(ex);
  const serves = ids.length ? `; serves ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}` : '';
  return { finding: { status: 'pass', summary: head }, line: `✔ ${head}${serves}`, httpStatus: status };
}

/** The AIGW_CUSTOM_MODELS__ENABLED finding when self-hosted models exist, judged only when the variable is set here. */
function customModelsFinding(value: string | undefined): { finding?: Finding; line: string } {
  if (value === undefined) {
    return { line: 'AIGW_CUSTOM_MODELS__ENABLED is not set in this environment; the gateway needs it true to serve self-hosted models' };
  }
  if (TRUE.test(value.trim())) return { line: `AIGW_CUSTOM_MODELS__ENABLED=${value}` };
  return {
    line: `AIGW_CUSTOM_MODELS__ENABLED=${value}`,
    finding: {
      status: 'fail',
      summary: `AIGW_CUSTOM_MODELS__ENABLED is "${value}": the gateway will not serve the self-hosted models GitLab routes to it`,
      fix: 'Set AIGW_CUSTOM_MODELS__ENABLED=true in the gateway\'s environment (docker run -e, the Helm values) and restart it.',
    },
  };
}

export default defineCheck({
  id: 'model-endpoints',
  title: 'Each self-hosted model endpoint answers',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'Lists GitLab\'s self-hosted models (GraphQL aiSelfHostedModels: name, model, endpoint, hasApiToken, identifier, releaseState), ' +
      'then, as gitlab:duo:verify_self_hosted_setup does, GET <endpoint>/v1/models on each OpenAI-compatible endpoint (10 s). ' +
      'GitLab never exposes a model\'s API key, so the request goes without it: 401/403 means "reachable, needs its token". ' +
      'The AI gateway, not GitLab, calls the models: the probe runs from here with the gateway\'s proxy variables and CA bundle.',
    failsWhen:
      'A model endpoint is unreachable (fail, naming the model); it answers an HTTP error, or wants a token GitLab has none for (warn); ' +
      'no self-hosted model is configured (warn); AIGW_CUSTOM_MODELS__ENABLED is set to something other than true while models exist (fail).',
    fix: 'Start the model server or correct its endpoint at Admin > GitLab Duo Self-Hosted; set AIGW_CUSTOM_MODELS__ENABLED=true on the gateway.',
  },
  async run(ctx) {
    const result = await gitlabGraphqlFirst(ctx, MODEL_QUERIES);
    if (!result.ok) return { status: 'skip', summary: `GitLab's self-hosted models cannot be listed: ${result.reason}` };
    const list = models(result.data);
    if (!list) {
      return { status: 'skip', summary: 'GitLab returned no self-hosted model list (the token is not an administrator\'s, or the feature is not available)' };
    }
    if (list.length === 0) {
      return {
        status: 'warn',
        summary: 'No self-hosted models configured',
        remediation: 'Add your model at Admin > GitLab Duo Self-Hosted > Add self-hosted model, then assign it to features (Code Completion, Chat, ...).',
        evidence: { models: 0 },
      };
    }

    const custom = customModelsFinding(ctx.settings.env.AIGW_CUSTOM_MODELS__ENABLED);
    const details = [
      'The AI gateway calls these endpoints, not GitLab: they were probed from here, with the gateway\'s proxy variables and CA bundle. ' +
        'An endpoint on localhost means the gateway\'s own host.',
      custom.line,
    ];
    const trust = await gatewayTrust(ctx);
    const probed = await Promise.all(
      list.map(async (m) => {
        const skip = notProbed(m);
        const facts = `${m.releaseState ? `release state ${m.releaseState}, ` : ''}API token: ${m.hasApiToken ? 'Configured' : 'Missing'}`;
        if (skip) return { m, line: `– ${label(m)}: ${m.endpoint || 'no endpoint'} (${facts}) — not probed: ${skip}` };
        const p = await probeModel(ctx, m, trust.ca);
        return { m, ...p, line: `${p.line} (${facts})` };
      }),
    );
    details.push(...probed.map((p) => p.line));
    const findings: Finding[] = probed.flatMap((p) => ('finding' in p && p.finding ? [p.finding] : []));
    if (custom.finding) findings.push(custom.finding);
    const tested = probed.filter((p) => 'finding' in p).length;
    const evidence = {
      models: list.length,
      probed: tested,
      endpoints: probed.map((p) => ({
        name: p.m.name,
        endpoint: redactUrl(p.m.endpoint),
        ...('finding' in p && p.finding ? { status: p.finding.status, httpStatus: p.httpStatus } : { status: 'not-probed' }),
      })),
    };
    const summary = tested
      ? `${tested} of ${list.length} self-hosted model endpoint${list.length === 1 ? '' : 's'} probed; all answer`
      : `${list.length} self-hosted model${list.length === 1 ? '' : 's'} configured; none serves /v1/models to probe`;
    return combineFindings(findings, summary, details, evidence);
  },
});
