// The prompt budget (max_context_tokens) the AI gateway gives each self-hosted model family, by GitLab's `model` value.
// Source: ai-gateway ai_gateway/model_selection/models.yml (self-hosted families: gitlab_identifier, max_context_tokens), 95a8d76dd.
export const FAMILY_CONTEXT_TOKENS: Readonly<Record<string, number>> = {
  mistral: 128_000,
  mixtral: 32_000,
  codestral: 128_000,
  llama3: 128_000,
  codellama: 16_000,
  gpt: 128_000,
  codegemma: 8_000,
  deepseekcoder: 16_000,
  claude_3: 200_000,
  general: 200_000,
};
