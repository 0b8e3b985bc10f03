// Pure rules about Amazon Bedrock models as GitLab lists them and the AWS variables of the gateway's environment.
//
// The gateway hands `bedrock/<model>` to LiteLLM as provider `bedrock`, model `<model>`, and drops the endpoint
// (ai-gateway ai_gateway/model_metadata.py `PROVIDERS_WITHOUT_API_BASE`, `ModelMetadata.to_params`, 95a8d76dd); LiteLLM
// signs with the AWS_* variables of the process (BerriAI/litellm litellm/llms/bedrock/base_aws_llm.py `get_credentials`).

/**
 * The model part of a Bedrock identifier when its provider is `bedrock` (`bedrock/us.anthropic...` → `us.anthropic...`),
 * else undefined.
 */
export function bedrockModelId(identifier: string | undefined): string | undefined {
  // Stryker disable next-line Regex,StringLiteral: `.+` is greedy, so `$` changes nothing; any fallback string without "bedrock/" matches nothing either
  const match = /^bedrock\/(.+)$/i.exec(identifier ?? '');
  return match?.[1];
}

/** The geography prefixes of system-defined cross-region inference profiles and the source-region prefix each serves. */
const PROFILE_REGIONS: Readonly<Record<string, RegExp>> = {
  us: /^us-(?!gov-)/,
  'us-gov': /^us-gov-/,
  eu: /^eu-/,
  apac: /^ap-/,
  global: /^/,
};

/** How a Bedrock model id names its model: a cross-region profile (`us.`…), an ARN (application profile), or a bare model id. */
export type BedrockIdForm = { kind: 'profile'; geo: string } | { kind: 'arn' } | { kind: 'bare' };

/** The form of a Bedrock model id (the identifier without `bedrock/`). */
export function bedrockIdForm(modelId: string): BedrockIdForm {
  if (/^arn:aws[\w-]*:bedrock:/.test(modelId)) return { kind: 'arn' };
  // Stryker disable next-line Regex: the geography is always followed by a vendor ("anthropic.", "meta."), so anchoring the dot changes nothing the tests can tell
  const geo = /^(us-gov|us|eu|apac|global|jp|au|ca)\.[a-z]/.exec(modelId)?.[1];
  return geo ? { kind: 'profile', geo } : { kind: 'bare' };
}

/**
 * Whether a cross-region profile's geography serves requests signed for `region`: `us.` profiles exist in US regions,
 * `eu.` in EU regions, `apac.` in Asia Pacific ones (AWS Bedrock user guide, "Supported Regions and models for inference
 * profiles"); undefined when the geography is one this table does not know (jp, au, ca: a few regions each).
 */
export function profileServesRegion(geo: string, region: string): boolean | undefined {
  const rule = PROFILE_REGIONS[geo];
  return rule ? rule.test(region) : undefined;
}

/** The AWS variables of the gateway's environment that decide how LiteLLM reaches Bedrock (secrets reduced to facts). */
export interface AwsEnvFacts {
  /** Names of the credential and region variables that are set and not blank, sorted. */
  set: string[];
  /** AWS_ACCESS_KEY_ID's kind by its prefix: AKIA long-term (an IAM user), ASIA temporary (STS), else other. */
  accessKeyKind?: 'long-term' | 'temporary' | 'other';
  AWS_REGION_NAME?: string;
  AWS_REGION?: string;
  /** AWS_BEDROCK_RUNTIME_ENDPOINT, credentials redacted. */
  runtimeEndpoint?: string;
}

/** The variables read into AwsEnvFacts.set. */
export const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_REGION_NAME',
  'AWS_REGION',
  'AWS_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_BEDROCK_RUNTIME_ENDPOINT',
] as const;

/** The kind of an access key id by its documented prefix (IAM user guide, "Unique identifiers": AKIA, ASIA). */
export function accessKeyKind(keyId: string): AwsEnvFacts['accessKeyKind'] {
  if (keyId.startsWith('AKIA')) return 'long-term';
  if (keyId.startsWith('ASIA')) return 'temporary';
  return 'other';
}

/** The region in a Bedrock runtime host: `bedrock-runtime.<region>.amazonaws.com`, a VPC endpoint's `vpce-….bedrock-runtime.<region>.vpce.amazonaws.com`. */
export function endpointRegion(host: string): string | undefined {
  return /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com$/.exec(host)?.[1];
}
