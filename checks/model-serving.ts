// model-serving: each OpenAI-compatible self-hosted model serves what the AI gateway will ask of it — the model name it
// sends, a one-token chat completion (the chat template), tool calling (tool_choice "auto"), and a context window as
// large as the prompt budget the gateway gives the model's family.
import { defineCheck, type CheckContext, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_SELF_HOSTED } from '../src/data/admin-paths.js';
import { FAMILY_CONTEXT_TOKENS } from '../src/data/model-families.js';
import { notProbed, requestedModel } from '../src/judge/self-hosted-model.js';
import { clientUrl, postModelRoute, probeModelsRoute, type RouteAnswer } from '../src/probes/model-endpoint.js';
import { selfHostedModels } from '../src/probes/self-hosted-models.js';
import { redactUrl } from '../src/redact.js';

/** One model as GitLab lists it and what its server answered. */
export interface ServingFacts {
  name: string;
  /** GitLab's model family (codestral, mistral, llama3, ...). */
  model: string;
  /** Credentials redacted. */
  endpoint: string;
  /** The model name the gateway sends (from the identifier). */
  requested?: string;
  /** What /v1/models lists. */
  served?: string[];
  /** vLLM's max_model_len for the requested model, when the server reports it. */
  maxModelLen?: number;
  /** The one-token chat completion, and the same with one tool and tool_choice "auto". */
  chat?: RouteAnswer;
  tools?: RouteAnswer;
  /** Why this model was not judged. */
  notJudged?: string;
}

export interface Facts {
  unlisted?: string;
  models?: ServingFacts[];
  /** The --exec prefix when the servers were asked from inside the gateway's container (else from this host). */
  inside?: string;
}

type Model = { label: string; name: string };

export const messages = {
  unlisted: { status: 'skip', text: (d: { why: string }) => d.why },
  noneJudged: {
    status: 'skip',
    text: (d: { models: number }) =>
      `none of ${d.models} self-hosted model${d.models === 1 ? '' : 's'} is an OpenAI-compatible server that answered its models route`,
  },
  allServe: {
    status: 'pass',
    text: (d: { judged: number }) =>
      `${d.judged} self-hosted model${d.judged === 1 ? '' : 's'} serve${d.judged === 1 ? 's' : ''} the name, a chat completion and tool calls`,
  },
  nameNotServed: {
    status: 'fail',
    text: (d: Model & { requested: string; served: string }) =>
      `Model ${d.label}: the gateway asks for "${d.requested}", but the server serves ${d.served}: every request answers 404`,
    fix: (d: Model & { requested: string; first: string }) =>
      `Set the model identifier of ${d.name} to custom_openai/${d.first} at ${ADMIN_SELF_HOSTED} > ${d.name} > Edit ` +
      `(the id in the server's /v1/models), or start vLLM with --served-model-name ${d.requested}.`,
  },
  noChatTemplate: {
    status: 'fail',
    text: (d: Model & { message: string }) => `Model ${d.label} cannot chat: the server has no chat template for it (${d.message})`,
    fix: (d: Model) =>
      `Start the model server for ${d.name} with a chat template (vLLM: --chat-template <template.jinja>, e.g. one of vLLM's examples/ for the model), ` +
      'or serve a model whose tokenizer defines one.',
  },
  chatFails: {
    status: 'fail',
    text: (d: Model & { why: string }) => `Model ${d.label} does not answer a one-token chat completion: ${d.why}`,
    fix: (d: Model) =>
      `Read the model server's log for ${d.name} at the time of this run; the gateway's Chat and Code Generation requests fail the same way.`,
  },
  toolsOff: {
    status: 'warn',
    text: (d: Model & { why: string }) => `Model ${d.label} does not take tool calls (tool_choice "auto"): ${d.why}`,
    fix: (d: Model) =>
      `Start vLLM for ${d.name} with --enable-auto-tool-choice --tool-call-parser <the parser for the model> (e.g. mistral, llama3_json, hermes): ` +
      'agentic Duo Chat and the Duo Agent Platform call tools.',
  },
  contextShort: {
    status: 'warn',
    text: (d: Model & { maxModelLen: number; budget: number; family: string }) =>
      `Model ${d.label} accepts ${d.maxModelLen} tokens, but the gateway budgets prompts of up to ${d.budget} tokens for the ${d.family} family: longer prompts answer 400`,
    fix: (d: Model & { budget: number }) =>
      `Start vLLM for ${d.name} with --max-model-len ${d.budget} if the GPU memory allows (or a model and family with a smaller window).`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const CHAT = { messages: [{ role: 'user', content: 'Reply with one word.' }], max_tokens: 1 };
const TOOL = {
  type: 'function',
  function: { name: 'duo_doctor_probe', description: 'Does nothing.', parameters: { type: 'object', properties: {} } },
};

/** A 401/403 means the server wants the model's key, which GitLab never exposes: not judged. */
const wantsKey = (a: RouteAnswer | undefined) => a?.ok === true && (a.status === 401 || a.status === 403);
const failed = (a: RouteAnswer | undefined): string | undefined =>
  !a
    ? undefined
    : !a.ok
      ? `${a.kind}: ${a.message}`
      : a.status >= 400 && !wantsKey(a)
        ? `HTTP ${a.status}${a.error ? `: ${a.error}` : ''}`
        : undefined;

/** One model's findings and its line for the details. */
function judgeModel(m: ServingFacts): { findings: Finding[]; line: string } {
  const label = `${m.name} (${m.model})`;
  if (m.notJudged) return { findings: [], line: `– ${label}: not judged — ${m.notJudged}` };
  const base = { label, name: m.name };
  const served = m.served ?? [];
  if (m.requested && served.length && !served.includes(m.requested)) {
    const data = { ...base, requested: m.requested, served: served.map((s) => `"${s}"`).join(', '), first: served[0] ?? '' };
    return { findings: [{ id: 'nameNotServed', data }], line: `✗ ${label}: asks for "${m.requested}"; serves ${data.served}` };
  }
  const findings: Finding[] = [];
  const chatWhy = failed(m.chat);
  if (chatWhy) {
    const error = m.chat?.ok ? m.chat.error : undefined;
    findings.push(
      error && /chat template/i.test(error)
        ? { id: 'noChatTemplate', data: { ...base, message: error } }
        : { id: 'chatFails', data: { ...base, why: chatWhy } },
    );
  }
  const toolsWhy = chatWhy ? undefined : failed(m.tools);
  if (toolsWhy) findings.push({ id: 'toolsOff', data: { ...base, why: toolsWhy } });
  const budget = FAMILY_CONTEXT_TOKENS[m.model];
  if (m.maxModelLen !== undefined && budget !== undefined && m.maxModelLen < budget) {
    findings.push({ id: 'contextShort', data: { ...base, maxModelLen: m.maxModelLen, budget, family: m.model } });
  }
  const keyNote = wantsKey(m.chat) ? " (the server wants the model's API key, which GitLab never exposes: chat and tools not judged)" : '';
  const window = m.maxModelLen !== undefined ? `; max_model_len ${m.maxModelLen}${budget !== undefined ? ` (family budget ${budget})` : ''}` : '';
  return { findings, line: `${findings.length ? '✗' : '✔'} ${label}: asks for "${m.requested ?? '?'}"${window}${keyNote}` };
}

/** Pure: every model's answers, judged. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.models) return { findings: [{ id: 'unlisted', data: { why: f.unlisted ?? 'GitLab returned no self-hosted model list' } }] };
  const judged = f.models.map((m) => ({ m, ...judgeModel(m) }));
  const count = judged.filter((j) => !j.m.notJudged).length;
  const findings = judged.flatMap((j) => j.findings);
  if (count === 0) findings.push({ id: 'noneJudged', data: { models: f.models.length } });
  else if (findings.length === 0) findings.push({ id: 'allServe', data: { judged: count } });
  return {
    findings,
    details: [
      'Asked as the AI gateway asks: the identifier\'s model name, POST <endpoint>/chat/completions (one token), then the same with one tool and tool_choice "auto"; ' +
        (f.inside !== undefined
          ? `asked from inside the gateway's container (${f.inside}).`
          : "probed from here with the gateway's proxy variables and CA bundle."),
      ...judged.map((j) => j.line),
    ],
    evidence: { models: f.models.length, judged: count },
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers one model: its models route (memoised with model-endpoints'), then a one-token chat with and without a tool. */
async function gatherModel(ctx: CheckContext, m: { name: string; model: string; endpoint: string; identifier?: string }): Promise<ServingFacts> {
  const shown = { name: m.name, model: m.model, endpoint: redactUrl(m.endpoint) };
  const skip = notProbed(m);
  if (skip) return { ...shown, notJudged: skip };
  const listing = await probeModelsRoute(ctx, clientUrl(m.endpoint, 'models'));
  if (!listing.ok || listing.status >= 400)
    return { ...shown, notJudged: "its models route does not answer at the gateway's URL (model-endpoints says why)" };
  const requested = requestedModel(m.identifier);
  if (!requested) return { ...shown, served: listing.served, notJudged: "no model identifier: the gateway sends the family's default name" };
  const maxModelLen = listing.maxModelLen?.[requested];
  const facts = { ...shown, requested, served: listing.served, ...(maxModelLen !== undefined ? { maxModelLen } : {}) };
  if (listing.served.length && !listing.served.includes(requested)) return facts;
  const url = clientUrl(m.endpoint, 'chat/completions');
  const chat = await postModelRoute(ctx, url, { model: requested, ...CHAT });
  const tools = await postModelRoute(ctx, url, { model: requested, ...CHAT, tools: [TOOL], tool_choice: 'auto' });
  return { ...facts, chat, tools };
}

export async function gather(ctx: CheckContext): Promise<Facts> {
  const list = await selfHostedModels(ctx);
  if (!list.ok) return { unlisted: list.why };
  const models = await Promise.all(list.models.map((m) => gatherModel(ctx, m)));
  return { models, ...(ctx.settings.exec ? { inside: ctx.settings.exec } : {}) };
}

// Stryker restore all
export default defineCheck({
  id: 'model-serving',
  title: "Each self-hosted model serves the gateway's requests",
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // Only once the endpoint answers at the URL the gateway uses: a wrong endpoint is model-endpoints' finding.
  dependsOn: ['model-endpoints'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'For each OpenAI-compatible self-hosted model GitLab lists: the model name the gateway sends (the identifier after its provider/ prefix) ' +
      'against the ids <endpoint>/models serves; a one-token POST <endpoint>/chat/completions (the chat template); the same with one tool and ' +
      'tool_choice "auto"; vLLM\'s max_model_len against the prompt budget of the model\'s family in the gateway (models.yml).',
    failsWhen:
      'The server does not serve the requested name, or a one-token chat fails (no chat template, other errors): fail. Tool calling is off, or the ' +
      "context window is smaller than the family's budget: warn.",
    fix: 'Match the identifier to the served name (or --served-model-name); give vLLM --chat-template, --enable-auto-tool-choice --tool-call-parser, --max-model-len.',
  },
  messages,
  gather,
  judge,
});
