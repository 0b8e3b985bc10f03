// What GitLab's answer to a code completion holds: its JSON object and the completion's text. GitLab's own test reads it
// the same way (CodeSuggestionsClient#choice?: `response['choices']&.first&.dig('text').present?`, gitlab-ee
// ee/lib/gitlab/llm/ai_gateway/code_suggestions_client.rb, 6714c9136). Shared by system-exchange and gitlab-health-check.

/** The body as a JSON object; undefined when it is not one. */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    // Not JSON: nothing parsed.
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The first choice's text when it is present (not blank), as GitLab's `choice?` demands; else undefined. */
export function completionText(body: Record<string, unknown> | undefined): string | undefined {
  const choices = body?.choices;
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  const text = (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' && text.trim() ? text : undefined;
}

/** Whether an answer of `status` with `body` carries a completion: HTTP 200 and a present first choice. */
export function completed(status: number, body: string): boolean {
  return status === 200 && completionText(jsonObject(body)) !== undefined;
}
