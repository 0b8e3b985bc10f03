// Programs kept as their own files (.py, .sh) are imported as text with a `?raw` suffix: vitest (Vite) reads them so
// natively, and the esbuild bundles (scripts/raw-text.mjs) do the same.
declare module '*?raw' {
  const text: string;
  export default text;
}
