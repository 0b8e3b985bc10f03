// The code completion GitLab's own EndToEndProbe asks for (CodeSuggestionsClient#test_completion): a Ruby file opening
// `def hello_world`. system-exchange sends it through GitLab; the proxy checks stream it straight to the gateway.

/** GitLab's Code Suggestions completion API, which relays the request to the AI gateway. */
export const COMPLETIONS_PATH = '/api/v4/code_suggestions/completions';

/** The completion request body, as GitLab sends it. */
export const COMPLETION_REQUEST = {
  current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
  intent: 'completion',
} as const;

/** The same request, streamed (`"stream": true`), as IDEs ask for it. */
export const STREAMED_COMPLETION = { ...COMPLETION_REQUEST, stream: true } as const;
