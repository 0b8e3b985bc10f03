// One request to a self-hosted model server from where the gateway runs (its container under --exec): the Python
// program beside this file, and the parser of its answer into the exchange the HTTP probe returns.
import type { CheckContext } from '../check.js';
import { errorMessage } from '../error-message.js';
import type { FailureKind, HttpExchange } from '../probes/http.js';
import { runtimeHost } from './host.js';
import modelProbe from './model-probe.py?raw';

/** Run as `python3 -c MODEL_PROBE METHOD URL BODY TIMEOUT_S`; prints one `MODEL_PROBE_MARK{json}` line. */
export const MODEL_PROBE: string = modelProbe;
/** Marks the probe's result line (model-probe.py's MARK). */
export const MODEL_PROBE_MARK = 'duo-doctor-model-probe=';

const KINDS = new Set<FailureKind>(['dns', 'refused', 'timeout', 'tls', 'reset', 'other']);

/** What the probe printed, as an exchange (a failure when it printed no result: python3 missing, the program broken). */
export function parseModelProbe(stdout: string, stderr: string, code: number): HttpExchange {
  const line = stdout.split('\n').find((l) => l.startsWith(MODEL_PROBE_MARK));
  const failed = (kind: FailureKind, message: string, elapsedMs = 0): HttpExchange => ({ ok: false, failure: { kind, message }, elapsedMs });
  if (!line)
    return failed(
      'other',
      `the model probe printed no result (exit code ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''})`,
    );
  let raw: { status?: unknown; contentType?: unknown; body?: unknown; elapsedMs?: unknown; error?: { kind?: unknown; message?: unknown } };
  try {
    raw = JSON.parse(line.slice(MODEL_PROBE_MARK.length)) as typeof raw;
  } catch (error) {
    return failed('other', `the model probe's result is not JSON: ${errorMessage(error)}`);
  }
  const elapsedMs = typeof raw.elapsedMs === 'number' ? raw.elapsedMs : 0;
  if (raw.error || typeof raw.status !== 'number') {
    const kind = KINDS.has(raw.error?.kind as FailureKind) ? (raw.error?.kind as FailureKind) : 'other';
    return failed(kind, typeof raw.error?.message === 'string' ? raw.error.message : 'no status', elapsedMs);
  }
  const headers: Record<string, string> = typeof raw.contentType === 'string' && raw.contentType ? { 'content-type': raw.contentType } : {};
  return { ok: true, response: { status: raw.status, headers, body: typeof raw.body === 'string' ? raw.body : '', elapsedMs } };
}

/** Sends one request from where the gateway runs (python3 there); never rejects. */
export async function requestWhereTheGatewayRuns(
  ctx: CheckContext,
  request: { method: 'GET' | 'POST'; url: string; body?: string; timeoutMs: number },
): Promise<HttpExchange> {
  try {
    const host = await runtimeHost(ctx);
    const run = await host.python(MODEL_PROBE, [request.method, request.url, request.body ?? '', String(request.timeoutMs / 1000)]);
    if (!run.available)
      return { ok: false, failure: { kind: 'other', message: `python3 is not available ${host.label}: ${run.stderr.trim()}` }, elapsedMs: 0 };
    return parseModelProbe(run.stdout, run.stderr, run.code);
  } catch (error) {
    return { ok: false, failure: { kind: 'other', message: errorMessage(error) }, elapsedMs: 0 };
  }
}
