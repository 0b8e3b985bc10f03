// model-endpoints: each self-hosted model GitLab knows answers its models route at the URL the AI gateway's model client joins
// (the endpoint as given + `/models`), and fails the endpoint that only answers with `/v1` added.
import { defineCheck, type CheckContext, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_FEATURES, ADMIN_SELF_HOSTED } from '../src/data/admin-paths.js';
import { pydanticBool } from '../src/judge/pydantic-bool.js';
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../src/judge/runtime-place.js';
import { notProbed } from '../src/judge/self-hosted-model.js';
import { clientUrl, probeModelsRoute, withV1, type ModelAnswer } from '../src/probes/model-endpoint.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { redactUrl } from '../src/redact.js';
import type { Env } from '../src/config/settings.js';
import { gatewayEnv } from '../src/runtime/host.js';
import { selfHostedModels, type ListedModel } from '../src/probes/self-hosted-models.js';

/** One model as GitLab lists it (its endpoint's credentials redacted), and what its endpoint answered (absent when it was not probed, with the reason). */
export interface ModelFacts extends ListedModel {
  /** The URL asked (the gateway's client's), credentials redacted. */
  url?: string;
  notProbed?: string;
  answer?: ModelAnswer;
  /** When the gateway's URL answered 404: the same endpoint with `/v1` appended (redacted), and what its models route answered. */
  v1?: { endpoint: string; url: string; answer: ModelAnswer };
}

export interface Facts {
  /** Why GitLab's model list could not be read (a skip). */
  unlisted?: string;
  models?: ModelFacts[];
  /** AIGW_CUSTOM_MODELS__ENABLED as set in this environment (undefined: not set here). */
  customModelsEnabled?: string;
  /** The --exec prefix when the endpoints were asked from inside the gateway's container (else from this host). */
  inside?: string;
}

type Model = { label: string; url: string; name: string };

export const messages = {
  unlisted: { status: 'skip', text: (d: { why: string }) => d.why },
  noModels: {
    status: 'warn',
    text: () => 'No self-hosted models configured',
    fix: `Add your model at ${ADMIN_SELF_HOSTED} > Add self-hosted model, then assign it to features at ${ADMIN_FEATURES} (Code Completion, Chat, ...).`,
  },
  allAnswer: {
    status: 'pass',
    text: (d: { probed: number; models: number }) =>
      `${d.probed} of ${d.models} self-hosted model endpoint${d.models === 1 ? '' : 's'} probed; all answer`,
  },
  noneProbeable: {
    status: 'pass',
    text: (d: { models: number }) => `${d.models} self-hosted model${d.models === 1 ? '' : 's'} configured; none serves /v1/models to probe`,
  },
  unreachable: {
    status: 'fail',
    text: (d: Model & { message: string }) => `Model ${d.label} is unreachable at ${d.url}: ${d.message}`,
    fix: (d: Model & { message: string }) =>
      `Start the model server for ${d.name}, or correct its endpoint at ${ADMIN_SELF_HOSTED}; it must be reachable from the AI gateway.`,
  },
  trustUnknown: {
    status: 'skip',
    text: (d: Model & { message: string }) =>
      `Model ${d.label} at ${d.url}: ${d.message} — whether the gateway trusts it depends on its own CA bundle (SSL_CERT_FILE / SSL_VERIFY, as LiteLLM reads them), ` +
      'which is not known on this host: give it with --ca-file, or run where the gateway runs',
  },
  tokenMissing: {
    status: 'warn',
    text: (d: Model) => `Model ${d.label} requires an API token, but GitLab has none configured for it`,
    fix: (d: Model) => `Set the model's API key at ${ADMIN_SELF_HOSTED} > ${d.name} > Edit; the gateway sends it to the model server.`,
  },
  httpError: {
    status: 'warn',
    text: (d: Model & { status: number }) => `Model ${d.label} answered ${d.url} with HTTP ${d.status}`,
    fix: (d: Model & { status: number }) =>
      `Check the endpoint of ${d.name} (an OpenAI-compatible server serves /v1/models) and the model server's logs.`,
  },
  missingV1: {
    status: 'fail',
    text: (d: Model & { v1Url: string }) =>
      `Model ${d.label}: its endpoint lacks /v1 — the gateway's client asks ${d.url} (HTTP 404), the server answers only ${d.v1Url}`,
    fix: (d: Model & { v1Endpoint: string }) =>
      `Set the endpoint of ${d.name} to ${d.v1Endpoint} at ${ADMIN_SELF_HOSTED} > ${d.name} > Edit: the AI gateway appends ` +
      '/chat/completions to the endpoint as given, and OpenAI-compatible servers (vLLM, Ollama) serve their API under /v1.',
  },
  loopbackInContainer: {
    status: 'fail',
    text: (d: Model & { host: string; message: string; prefix: string }) =>
      `Model ${d.label}: its endpoint names ${d.host}, which inside the gateway's container (${d.prefix}) is the container itself, not the host ` +
      `running the model server: ${d.message}`,
    fix: (d: Model & { host: string; message: string; prefix: string }) =>
      `Point the endpoint of ${d.name} at an address the container reaches (${ADMIN_SELF_HOSTED} > ${d.name} > Edit): the host's name or IP, or ` +
      'host.docker.internal (docker run --add-host=host.docker.internal:host-gateway); or run the gateway with --network host ' +
      '(then move its metrics port off any port the host uses, -e AIGW_FASTAPI__METRICS_PORT=8083).',
  },
  customModelsOff: {
    status: 'fail',
    text: (d: { value: string }) =>
      `AIGW_CUSTOM_MODELS__ENABLED is "${d.value}": the gateway will not serve the self-hosted models GitLab routes to it`,
    fix: "Set AIGW_CUSTOM_MODELS__ENABLED=true in the gateway's environment (docker run -e, the Helm values) and restart it.",
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** The models route is there: it answered, or wants the model's token. */
const answersModels = (status: number) => status < 400 || status === 401 || status === 403;

/** An endpoint's host name, or undefined when it is not a URL. */
function hostOf(endpoint: string): string | undefined {
  return URL.canParse(endpoint) ? new URL(endpoint).hostname : undefined;
}

/** One model's finding (a problem) and its line for the details. */
function judgeModel(m: ModelFacts, inside: string | undefined): { finding?: Finding; line: string } {
  const label = `${m.name} (${m.model})`;
  const facts = `${m.releaseState ? `release state ${m.releaseState}, ` : ''}API token: ${m.hasApiToken ? 'Configured' : 'Missing'}`;
  const answer = m.answer;
  if (!answer) return { line: `– ${label}: ${m.endpoint || 'no endpoint'} (${facts}) — not probed: ${m.notProbed ?? 'unknown'}` };
  const data = { label, url: m.url ?? '', name: m.name };
  if (!answer.ok && answer.kind === 'tls' && answer.trustUnknown)
    return {
      finding: { id: 'trustUnknown', data: { ...data, message: answer.message }, details: [...RUN_WHERE_THE_GATEWAY_RUNS] },
      line: `– ${label}: ${data.url} — ${answer.kind}: ${answer.message}, the gateway's trust unknown here (${facts})`,
    };
  const host = hostOf(m.endpoint);
  if (!answer.ok && inside !== undefined && host && isLoopbackHost(host))
    return {
      finding: { id: 'loopbackInContainer', data: { ...data, host, message: answer.message, prefix: inside } },
      line: `✗ ${label}: ${data.url} — ${answer.kind}: ${answer.message}, asked inside the container (${facts})`,
    };
  if (!answer.ok)
    return {
      finding: { id: 'unreachable', data: { ...data, message: answer.message } },
      line: `✗ ${label}: ${data.url} — ${answer.kind}: ${answer.message} (${facts})`,
    };
  const head = `${label}: ${data.url} answered HTTP ${answer.status} in ${answer.elapsedMs} ms`;
  if (answer.status === 401 || answer.status === 403) {
    const line = `${head} — reachable; it needs its API token (GitLab ${m.hasApiToken ? 'has one configured' : 'has none configured'})`;
    return m.hasApiToken ? { line: `✔ ${line} (${facts})` } : { finding: { id: 'tokenMissing', data }, line: `⚠ ${line} (${facts})` };
  }
  if (answer.status === 404 && m.v1?.answer.ok && answersModels(m.v1.answer.status)) {
    const v1 = { ...data, v1Url: m.v1.url, v1Endpoint: m.v1.endpoint };
    return { finding: { id: 'missingV1', data: v1 }, line: `✗ ${head}; ${m.v1.url} answered HTTP ${m.v1.answer.status} (${facts})` };
  }
  if (answer.status >= 400) return { finding: { id: 'httpError', data: { ...data, status: answer.status } }, line: `⚠ ${head} (${facts})` };
  const serves = answer.served.length ? `; serves ${answer.served.slice(0, 5).join(', ')}${answer.served.length > 5 ? ', …' : ''}` : '';
  return { line: `✔ ${head}${serves} (${facts})` };
}

/** Pure: every model's answer, and AIGW_CUSTOM_MODELS__ENABLED where it is set, judged. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.models) return { findings: [{ id: 'unlisted', data: { why: f.unlisted ?? 'GitLab returned no self-hosted model list' } }] };
  if (f.models.length === 0) return { findings: [{ id: 'noModels' }], evidence: { models: 0 } };
  const judged = f.models.map((m) => ({ m, ...judgeModel(m, f.inside) }));
  const findings = judged.flatMap((j) => (j.finding ? [j.finding] : []));
  const custom = f.customModelsEnabled;
  if (custom !== undefined && pydanticBool(custom) !== true) findings.push({ id: 'customModelsOff', data: { value: custom } });
  const probed = judged.filter((j) => j.m.answer).length;
  if (findings.length === 0) {
    findings.push(
      probed ? { id: 'allAnswer', data: { probed, models: f.models.length } } : { id: 'noneProbeable', data: { models: f.models.length } },
    );
  }
  return {
    findings,
    details: [
      f.inside !== undefined
        ? `The AI gateway calls these endpoints, not GitLab: they were asked from inside its container (${f.inside}), with its proxy variables and CA bundle.`
        : "The AI gateway calls these endpoints, not GitLab: they were probed from here, with the gateway's proxy variables and CA bundle. " +
          "An endpoint on localhost means the gateway's own host (inside a container, the container: use --exec).",
      custom === undefined
        ? 'AIGW_CUSTOM_MODELS__ENABLED is not set in this environment; the gateway needs it true to serve self-hosted models'
        : `AIGW_CUSTOM_MODELS__ENABLED=${custom}`,
      ...judged.map((j) => j.line),
    ],
    evidence: {
      models: f.models.length,
      probed,
      endpoints: judged.map(({ m, finding }) => ({
        name: m.name,
        endpoint: m.endpoint,
        ...(m.answer
          ? { status: finding ? messages[finding.id].status : 'pass', ...(m.answer.ok ? { httpStatus: m.answer.status } : {}) }
          : { status: 'not-probed' }),
      })),
    },
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: the model list from GitLab, then each OpenAI-compatible endpoint's models route (and its /v1 form after a 404) through the memoised probe. */
export async function gather(ctx: CheckContext): Promise<Facts> {
  // Under --exec the gateway's variable is the container's, not this process's.
  const env = ctx.settings.exec ? await gatewayEnv(ctx).catch(() => ({}) as Env) : ctx.settings.env;
  const customModelsEnabled = env.AIGW_CUSTOM_MODELS__ENABLED;
  const list = await selfHostedModels(ctx);
  if (!list.ok) return { unlisted: list.why };
  const models = await Promise.all(
    list.models.map(async (m): Promise<ModelFacts> => {
      const skip = notProbed(m);
      const shown = { ...m, endpoint: redactUrl(m.endpoint) };
      if (skip) return { ...shown, notProbed: skip };
      const url = clientUrl(m.endpoint, 'models');
      const answer = await probeModelsRoute(ctx, url);
      const v1Endpoint = answer.ok && answer.status === 404 ? withV1(m.endpoint) : undefined;
      if (!v1Endpoint) return { ...shown, url: redactUrl(url), answer };
      const v1Url = clientUrl(v1Endpoint, 'models');
      const v1 = { endpoint: redactUrl(v1Endpoint), url: redactUrl(v1Url), answer: await probeModelsRoute(ctx, v1Url) };
      return { ...shown, url: redactUrl(url), answer, v1 };
    }),
  );
  return {
    models,
    ...(customModelsEnabled !== undefined ? { customModelsEnabled } : {}),
    ...(ctx.settings.exec ? { inside: ctx.settings.exec } : {}),
  };
}

// Stryker restore all
export default defineCheck({
  id: 'model-endpoints',
  title: 'Each self-hosted model endpoint answers',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // The admin token goes to GitLab's GraphQL API only once gitlab-reachable found GitLab's API at that URL.
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "Lists GitLab's self-hosted models (GraphQL aiSelfHostedModels: name, model, endpoint, hasApiToken, identifier, releaseState), " +
      "then GET the models route of each OpenAI-compatible endpoint at the URL the AI gateway's client joins: the endpoint as given + " +
      "/models (LiteLLM's api_base; nothing adds /v1), 10 s. gitlab:duo:verify_self_hosted_setup asks <endpoint>/v1/models instead, " +
      "which hides an endpoint missing /v1; when the gateway's URL answers 404, the /v1 form is asked too. " +
      'GitLab never exposes a model\'s API key, so the request goes without it: 401/403 means "reachable, needs its token". ' +
      "The AI gateway, not GitLab, calls the models: with --exec the requests are sent from inside the gateway's container (python3 there, its " +
      "proxy variables and CA bundle), so an endpoint on localhost is asked of the container itself; without it, from here with the gateway's proxy variables and CA bundle.",
    failsWhen:
      'A model endpoint is unreachable, or only answers with /v1 appended (fail, naming the model and the endpoint to set); ' +
      "an endpoint on localhost/127.0.0.1/::1 does not answer inside the gateway's container (fail: that is the container, not the host); " +
      'it answers an HTTP error, or wants a token GitLab has none for (warn); ' +
      'no self-hosted model is configured (warn); AIGW_CUSTOM_MODELS__ENABLED is set to something the gateway does not read as true ' +
      'while models exist (fail).',
    fix:
      'Start the model server or correct its endpoint (ending in /v1 for vLLM and other OpenAI-compatible servers) at ' +
      ADMIN_SELF_HOSTED +
      '; set AIGW_CUSTOM_MODELS__ENABLED=true on the gateway.',
  },
  messages,
  gather,
  judge,
});
