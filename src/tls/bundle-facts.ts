// A CA bundle as read (by readBundle here, or containerBundle where the gateway runs) turned into recorded facts: its blocks
// with the PEM of each certificate that decoded, and the path its links resolve to.
import { realpath } from 'node:fs/promises';
import type { BundleFacts, BundleVariable } from '../judge/ca-bundle.js';
import { isCertificateLabel, toPem } from '../probes/pem.js';
import type { BundleRead } from '../probes/trust.js';

/** The facts of one bundle read, named by `variables`. */
export function bundleFacts(read: BundleRead, variables: BundleVariable[], realPath?: string): BundleFacts {
  return {
    file: read.file,
    ...(realPath && realPath !== read.file ? { realPath } : {}),
    variables,
    ...(read.readError ? { readError: read.readError } : {}),
    blocks: read.blocks.map((b) => ({
      index: b.index,
      line: b.line,
      label: b.label,
      ok: b.ok,
      ...(b.problem ? { problem: b.problem } : {}),
      ...(b.ok && b.der && isCertificateLabel(b.label) ? { pem: toPem(b.der) } : {}),
    })),
    problems: read.problems,
  };
}

/** The path a local file's links resolve to; undefined when it cannot be resolved (missing, unreadable). */
export async function localRealPath(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch {
    return undefined;
  }
}
