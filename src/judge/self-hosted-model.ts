// Pure rules about a self-hosted model as GitLab lists it: whether an OpenAI-compatible server is behind it, and which
// model name the gateway sends it.

/**
 * Why a model is not probed, or undefined when it is: only http(s) endpoints of OpenAI-compatible servers are. An
 * identifier with a provider prefix other than `custom_openai/` (bedrock/, azure/, ...) names a cloud provider; a plain
 * model name or no identifier is a self-hosted server (vLLM, Ollama, ...), probed like `custom_openai/` ones.
 */
export function notProbed(m: { endpoint: string; identifier?: string }): string | undefined {
  if (!/^https?:\/\//i.test(m.endpoint)) return m.endpoint ? `endpoint ${m.endpoint} is not http(s)` : 'no endpoint (a cloud provider)';
  const provider = m.identifier ? /^([\w-]+)\//.exec(m.identifier)?.[1] : undefined;
  if (provider && provider !== 'custom_openai') return `identifier ${m.identifier} names provider ${provider}, not an OpenAI-compatible server`;
  return undefined;
}

/**
 * The `model` the gateway puts in its requests for an identifier: `provider/name` sends `name`, a bare identifier is sent
 * as-is (ai-gateway ai_gateway/model_metadata.py `ModelMetadata.to_params`, 95a8d76dd); undefined without an identifier
 * (the family's default from the gateway's prompt definitions is sent then).
 */
export function requestedModel(identifier: string | undefined): string | undefined {
  if (!identifier) return undefined;
  const slash = identifier.indexOf('/');
  return slash >= 0 && slash < identifier.length - 1 ? identifier.slice(slash + 1) : identifier;
}
