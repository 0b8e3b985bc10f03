// The tool's own name and version, read once from package.json at build time (esbuild) or run time (tests).
import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'duo-doctor';
export const TOOL_VERSION: string = pkg.version;
