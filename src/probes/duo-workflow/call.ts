// Unary calls to the Duo Workflow Service with @grpc/grpc-js, as GitLab's client makes them
// (flyisland/gitlab-ee ee/lib/ai/duo_workflow/duo_workflow_service/client.rb, 6714c9136: the same stub, metadata and channel credentials).
import { performance } from 'node:perf_hooks';
import { fromStruct, loadContract, type Struct } from './contract.js';
import { secureContextFor } from '../secure-context.js';
import { budget } from '../stage-board.js';

/** What a call needs: the address as GitLab stores it, TLS or not (GitLab's `secure?`), trust, metadata. */
export interface CallRequest {
  /** `host:port`. */
  address: string;
  secure: boolean;
  /** PEMs to trust for TLS (GitLab: its CA bundle); undefined: Node's roots. */
  ca?: readonly string[];
  /** gRPC metadata, lower-case keys (authorization included: it never leaves this function). */
  metadata: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/** The outcome as data: the tools' names, or the gRPC status GitLab's client would raise. */
export type ListToolsOutcome = { ok: true; ms: number; tools: string[] } | { ok: false; ms: number; code: number; codeName: string; details: string };

/** The tool's name in a ListTools Struct (convert_to_openai_tool's `function.name`). */
function toolName(spec: Record<string, unknown>): string {
  const fn = spec.function as { name?: unknown } | undefined;
  return typeof fn?.name === 'string' ? fn.name : typeof spec.name === 'string' ? spec.name : '(unnamed)';
}

/** A unary call's outcome: the response, or the gRPC status the caller would raise. */
export type UnaryOutcome<R> = { ok: true; ms: number; response: R } | { ok: false; ms: number; code: number; codeName: string; details: string };

/** Calls one unary DuoWorkflow method once. Never throws: every failure is a gRPC status. */
export async function callUnary<R>(method: 'ListTools' | 'GenerateToken', req: CallRequest): Promise<UnaryOutcome<R>> {
  const { grpc, DuoWorkflow } = await loadContract();
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  // One secure context per trust list (secure-context.ts): createSsl(ca) would parse every root again for each call.
  const credentials = !req.secure
    ? grpc.credentials.createInsecure()
    : req.ca
      ? grpc.credentials.createFromSecureContext(secureContextFor(req.ca))
      : grpc.credentials.createSsl();
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(req.metadata)) metadata.set(k, v);
  const client = new DuoWorkflow(req.address, credentials);
  try {
    return await new Promise<UnaryOutcome<R>>((resolve) => {
      const call = client[method] as (
        request: object,
        metadata: InstanceType<typeof grpc.Metadata>,
        options: { deadline: number },
        callback: (err: { code: number; details: string } | null, response?: R) => void,
      ) => void;
      call.call(client, {}, metadata, { deadline: Date.now() + budget(req.timeoutMs).waitMs }, (err, response) => {
        if (err) resolve({ ok: false, ms: ms(), code: err.code, codeName: grpc.status[err.code] ?? String(err.code), details: err.details });
        else resolve({ ok: true, ms: ms(), response: response as R });
      });
    });
  } finally {
    client.close();
  }
}

/** Calls DuoWorkflow/ListTools once (an empty ListToolsRequest, as GitLab's probe sends). Never throws. */
export async function listTools(req: CallRequest): Promise<ListToolsOutcome> {
  const out = await callUnary<{ tools?: Struct[] }>('ListTools', req);
  if (!out.ok) return out;
  return { ok: true, ms: out.ms, tools: (out.response.tools ?? []).map((t) => toolName(fromStruct(t))) };
}
