// har-validator ships no types: its promise API resolves true for a valid HAR and rejects with the schema errors.
declare module 'har-validator' {
  const validator: { har(data: unknown): Promise<boolean> };
  export default validator;
}
