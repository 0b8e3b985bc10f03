// bedrock-models: each self-hosted model GitLab routes to Amazon Bedrock (identifier `bedrock/...`) names an inference
// profile the gateway's region serves, and the gateway's environment holds what LiteLLM signs Bedrock requests with:
// static credentials (instance profiles and temporary credentials are not supported), a region, and a well-formed
// private runtime endpoint when one is set.
import { defineCheck, type CheckContext, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_SELF_HOSTED } from '../src/data/admin-paths.js';
import {
  AWS_VARIABLES,
  accessKeyKind,
  bedrockIdForm,
  bedrockModelId,
  endpointRegion,
  profileServesRegion,
  type AwsEnvFacts,
} from '../src/judge/bedrock.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import { selfHostedModels } from '../src/probes/self-hosted-models.js';
import { redactUrl } from '../src/redact.js';
import { errorMessage } from '../src/error-message.js';
import type { GatewayPlace, NotTheGateway } from '../src/runtime/facts.js';
import { gatewayEnv, runtimePlace } from '../src/runtime/host.js';

/** One Bedrock model as GitLab lists it. */
export interface BedrockModel {
  name: string;
  model: string;
  identifier: string;
}

export interface Facts {
  /** Why GitLab's model list could not be read. */
  unlisted?: string;
  /** How many self-hosted models GitLab lists, and those whose identifier's provider is bedrock. */
  total?: number;
  bedrock?: BedrockModel[];
  /** Where the gateway's environment was read, and what it holds; absent when this host is not the gateway's. */
  place?: GatewayPlace | NotTheGateway;
  aws?: AwsEnvFacts;
  /** Why the gateway's environment could not be read (a broken --exec). */
  envError?: string;
}

type Model = { label: string; name: string };
const DOCS = 'GitLab docs: administration/gitlab_duo_self_hosted/supported_llm_serving_platforms.md, "AWS Bedrock"';
const RESTART = 'then restart the gateway';

export const messages = {
  unlisted: { status: 'skip', text: (d: { why: string }) => d.why },
  noBedrock: {
    status: 'pass',
    text: (d: { total: number }) => `none of ${d.total} self-hosted model${d.total === 1 ? '' : 's'} uses Amazon Bedrock (identifier bedrock/...)`,
  },
  ready: {
    status: 'pass',
    text: (d: { models: number; region: string }) =>
      `${d.models} Bedrock model${d.models === 1 ? '' : 's'}: the identifiers name inference profiles, and the gateway has static credentials for ${d.region}`,
  },
  identifiersOnly: {
    status: 'pass',
    text: (d: { models: number }) => `${d.models} Bedrock model identifier${d.models === 1 ? '' : 's'} in inference-profile form`,
  },
  noInferenceProfile: {
    status: 'warn',
    text: (d: Model & { modelId: string }) =>
      `Model ${d.label}: identifier bedrock/${d.modelId} names a model, not an inference profile: models offered only through ` +
      `inference profiles (Claude 4, Llama 3.3, ...) answer "Invocation of model ID ... with on-demand throughput isn't supported"`,
    fix: (d: Model & { modelId: string }) =>
      `Set the identifier of ${d.name} to bedrock/<geo>.${d.modelId} (us., eu., apac. — the cross-region prefix of the gateway's AWS region) at ` +
      `${ADMIN_SELF_HOSTED} > ${d.name} > Edit; only in a region without cross-region inference keep the bare model id.`,
  },
  profileOtherRegion: {
    status: 'fail',
    text: (d: Model & { modelId: string; geo: string; region: string }) =>
      `Model ${d.label}: the ${d.geo}. inference profile of bedrock/${d.modelId} is not offered in the gateway's region ${d.region}: ` +
      'Bedrock answers that the model identifier is invalid',
    fix: (d: Model & { modelId: string; geo: string; region: string }) =>
      `Use the inference profile of ${d.region}'s geography in the identifier of ${d.name} (${ADMIN_SELF_HOSTED} > ${d.name} > Edit), ` +
      `or set AWS_REGION_NAME to a region the ${d.geo}. profile serves; ${RESTART}.`,
  },
  notTheGateway,
  envUnreadable: {
    status: 'skip',
    text: (d: { error: string }) => `the gateway's environment could not be read (${d.error}): its AWS credentials are not judged`,
  },
  noCredentials: {
    status: 'fail',
    text: (d: { where: string; present: string }) =>
      `the gateway's environment (${d.where}) has no static AWS credentials (${d.present}): ` +
      'instance profiles, IAM roles and web identity are not supported by the AI gateway, so every Bedrock request fails to authenticate',
    fix:
      `Start the gateway with -e AWS_ACCESS_KEY_ID=... -e AWS_SECRET_ACCESS_KEY=... -e AWS_REGION_NAME=<region> (an IAM user's access key ` +
      `with AmazonBedrockFullAccess), or -e AWS_BEARER_TOKEN_BEDROCK=<Bedrock API key>; ${RESTART} (${DOCS}).`,
  },
  temporaryCredentials: {
    status: 'fail',
    text: (d: { why: string }) =>
      `the gateway's AWS credentials are temporary (${d.why}): the AI gateway does not support temporary credentials — they expire and Bedrock requests then fail`,
    fix:
      'Give the gateway a long-term access key of an IAM user (AKIA..., no AWS_SESSION_TOKEN) or a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), ' +
      `${RESTART} (${DOCS}; gitlab-org/gitlab#542389).`,
  },
  regionUnset: {
    status: 'fail',
    text: () => "neither AWS_REGION_NAME nor AWS_REGION is set in the gateway's environment: LiteLLM does not know which Bedrock region to call",
    fix: `Start the gateway with -e AWS_REGION_NAME=<region> (the region where the models are enabled), ${RESTART}.`,
  },
  regionsDiffer: {
    status: 'warn',
    text: (d: { regionName: string; region: string }) =>
      `AWS_REGION_NAME=${d.regionName} and AWS_REGION=${d.region} differ: Bedrock calls and the gateway's other AWS calls may go to different regions`,
    fix: `Set both to the region where the Bedrock models are enabled (or remove AWS_REGION), ${RESTART}.`,
  },
  runtimeEndpointInvalid: {
    status: 'fail',
    text: (d: { value: string }) => `AWS_BEDROCK_RUNTIME_ENDPOINT=${d.value} is not an https URL: every Bedrock request fails`,
    fix: `Set AWS_BEDROCK_RUNTIME_ENDPOINT to the private endpoint's URL (https://bedrock-runtime.<region>.amazonaws.com, or https://vpce-<id>-<service>.<region>.vpce.amazonaws.com), or remove it; ${RESTART}.`,
  },
  runtimeEndpointRegion: {
    status: 'warn',
    text: (d: { value: string; endpointRegion: string; region: string }) =>
      `AWS_BEDROCK_RUNTIME_ENDPOINT=${d.value} is in ${d.endpointRegion}, but the gateway signs for ${d.region}: AWS refuses the signature`,
    fix: (d: { value: string; endpointRegion: string; region: string }) =>
      `Use the endpoint of ${d.region}, or set AWS_REGION_NAME=${d.endpointRegion}; ${RESTART}.`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** The findings of one model's identifier; `region` is the gateway's, when known. */
function identifierFindings(m: BedrockModel, modelId: string, region: string | undefined): Finding[] {
  const base = { label: `${m.name} (${m.model})`, name: m.name, modelId };
  const form = bedrockIdForm(modelId);
  if (form.kind === 'bare') return [{ id: 'noInferenceProfile', data: base }];
  // Stryker disable next-line ConditionalExpression: an ARN has no geography, and profileServesRegion answers undefined (never false) without one
  if (form.kind === 'profile' && region && profileServesRegion(form.geo, region) === false)
    return [{ id: 'profileOtherRegion', data: { ...base, geo: form.geo, region } }];
  return [];
}

/** What is wrong with the AWS variables LiteLLM signs Bedrock requests with. */
function envFindings(aws: AwsEnvFacts, where: string): Finding[] {
  const has = (name: string) => aws.set.includes(name);
  const findings: Finding[] = [];
  const staticKeys = has('AWS_ACCESS_KEY_ID') && has('AWS_SECRET_ACCESS_KEY');
  if (!staticKeys && !has('AWS_BEARER_TOKEN_BEDROCK')) {
    const present = aws.set.length ? `only ${aws.set.join(', ')}` : 'no AWS_* variable';
    findings.push({ id: 'noCredentials', data: { where, present } });
  } else if (staticKeys && (has('AWS_SESSION_TOKEN') || aws.accessKeyKind === 'temporary')) {
    const why = has('AWS_SESSION_TOKEN') ? 'AWS_SESSION_TOKEN is set' : 'AWS_ACCESS_KEY_ID is an STS key (ASIA...)';
    findings.push({ id: 'temporaryCredentials', data: { why } });
  }
  const region = aws.AWS_REGION_NAME ?? aws.AWS_REGION;
  if (!region) findings.push({ id: 'regionUnset' });
  else if (aws.AWS_REGION_NAME && aws.AWS_REGION && aws.AWS_REGION_NAME !== aws.AWS_REGION)
    findings.push({ id: 'regionsDiffer', data: { regionName: aws.AWS_REGION_NAME, region: aws.AWS_REGION } });
  if (aws.runtimeEndpoint !== undefined) {
    const url = parseHttps(aws.runtimeEndpoint);
    const inRegion = url ? endpointRegion(url.hostname) : undefined;
    if (!url) findings.push({ id: 'runtimeEndpointInvalid', data: { value: aws.runtimeEndpoint } });
    else if (inRegion && region && inRegion !== region)
      findings.push({ id: 'runtimeEndpointRegion', data: { value: aws.runtimeEndpoint, endpointRegion: inRegion, region } });
  }
  return findings;
}

function parseHttps(raw: string): URL | undefined {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  return url?.protocol === 'https:' ? url : undefined;
}

/** Pure: every Bedrock model's identifier, and the gateway's AWS variables where they were read. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.bedrock) return { findings: [{ id: 'unlisted', data: { why: f.unlisted ?? 'GitLab returned no self-hosted model list' } }] };
  const total = f.total ?? f.bedrock.length;
  if (f.bedrock.length === 0) return { findings: [{ id: 'noBedrock', data: { total } }] };
  const region = f.aws ? (f.aws.AWS_REGION_NAME ?? f.aws.AWS_REGION) : undefined;
  // Stryker disable next-line Regex: every identifier here starts with bedrock/ (gather keeps only those), so the first match is the prefix anchored or not
  const findings: Finding[] = f.bedrock.flatMap((m) => identifierFindings(m, m.identifier.replace(/^bedrock\//i, ''), region));
  const where = f.place && f.place.kind !== 'elsewhere' ? placeLabel(f.place) : undefined;
  if (f.envError !== undefined) findings.push({ id: 'envUnreadable', data: { error: f.envError } });
  else if (f.place?.kind === 'elsewhere') findings.push(notTheGatewayFinding(f.place.hostname, "reading the gateway's AWS credentials"));
  else if (f.aws && where) findings.push(...envFindings(f.aws, where));
  const models = f.bedrock.length;
  if (!findings.some((x) => messages[x.id].status !== 'skip'))
    findings.push(region ? { id: 'ready', data: { models, region } } : { id: 'identifiersOnly', data: { models } });
  return {
    findings,
    details: [
      ...f.bedrock.map((m) => `${m.name} (${m.model}): ${m.identifier}`),
      ...(f.aws && where ? [`AWS variables set ${where}: ${f.aws.set.join(', ') || 'none'} (values not shown)`] : []),
    ],
    evidence: { models, bedrock: f.bedrock.map((m) => m.identifier), ...(f.aws ? { awsVariables: f.aws.set } : {}) },
  };
}

/** The AWS variables as facts: names, the key's kind, the regions, the endpoint redacted; never a secret's value. */
export function awsFacts(env: Record<string, string | undefined>): AwsEnvFacts {
  const value = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const keyId = value('AWS_ACCESS_KEY_ID');
  const regionName = value('AWS_REGION_NAME');
  const region = value('AWS_REGION');
  const endpoint = env.AWS_BEDROCK_RUNTIME_ENDPOINT;
  return {
    set: AWS_VARIABLES.filter((name) => value(name) !== undefined).sort(),
    ...(keyId ? { accessKeyKind: accessKeyKind(keyId) } : {}),
    ...(regionName ? { AWS_REGION_NAME: regionName } : {}),
    ...(region ? { AWS_REGION: region } : {}),
    ...(endpoint !== undefined ? { runtimeEndpoint: redactUrl(endpoint) } : {}),
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
export async function gather(ctx: CheckContext): Promise<Facts> {
  const list = await selfHostedModels(ctx);
  if (!list.ok) return { unlisted: list.why };
  const bedrock = list.models
    .filter((m) => bedrockModelId(m.identifier) !== undefined)
    .map((m) => ({ name: m.name, model: m.model, identifier: m.identifier ?? '' }));
  const facts: Facts = { total: list.models.length, bedrock };
  if (bedrock.length === 0) return facts;
  const place = runtimePlace(ctx);
  if (place.kind === 'elsewhere') return { ...facts, place };
  try {
    return { ...facts, place, aws: awsFacts(await gatewayEnv(ctx)) };
  } catch (error) {
    return { ...facts, place, envError: errorMessage(error) };
  }
}

// Stryker restore all
export default defineCheck({
  id: 'bedrock-models',
  title: 'Amazon Bedrock models: inference profiles and the credentials the gateway signs with',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "For each self-hosted model whose identifier is bedrock/<model> (GitLab's GraphQL aiSelfHostedModels): the model part is a cross-region inference " +
      "profile (us., eu., apac., global. ...) or an ARN, and the profile's geography serves the gateway's region. In the gateway's environment (its " +
      "container with --exec, or this host when it is the gateway's): static credentials (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or " +
      'AWS_BEARER_TOKEN_BEDROCK), not temporary ones (AWS_SESSION_TOKEN, an ASIA... key), AWS_REGION_NAME or AWS_REGION, and AWS_BEDROCK_RUNTIME_ENDPOINT ' +
      'when set an https URL in that region. Secret values are never read into the report.',
    failsWhen:
      'No static credentials, temporary credentials, no region, a malformed private endpoint, or a profile of another geography than the region (fail); ' +
      'a bare model id where models need an inference profile, two different regions, an endpoint in another region (warn).',
    fix:
      'docker run -e AWS_ACCESS_KEY_ID=... -e AWS_SECRET_ACCESS_KEY=... -e AWS_REGION_NAME=<region> (or -e AWS_BEARER_TOKEN_BEDROCK=...), and set each ' +
      `identifier to bedrock/<geo>.<model id> at ${ADMIN_SELF_HOSTED}.`,
  },
  messages,
  gather,
  judge,
});
