// The one-line text of anything thrown: an Error's message (or its name when empty), else its string form.

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
