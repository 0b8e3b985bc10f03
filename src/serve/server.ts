// `duo-doctor serve`: runs the suite on an interval (never two runs at once) and serves the latest result for
// Kubernetes probes, Prometheus and humans: /healthz, /livez, /readyz, /results, /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitCodeFor, isFailing, type RunResult } from '../model.js';
import { runSummary } from '../report/format.js';
import { render as renderJson } from '../report/json.js';
import { render as renderPrometheus } from '../report/prometheus.js';
import { RunAborted } from '../runner/run.js';
import { redactSecrets } from '../redact.js';
import { errorMessage } from '../error-message.js';

export interface ServeOptions {
  port: number;
  host: string;
  intervalMs: number;
  /** Runs one suite; serve never calls it while a previous call is still running. `signal` aborts it (shutdown). */
  runSuite(signal: AbortSignal): Promise<RunResult>;
  /** Called with each completed run (serve writes the --format/--output/--report outputs here). */
  onRun?(run: RunResult): Promise<void>;
  /** Secrets that must never appear in a response (the GitLab tokens). */
  secrets: readonly (string | undefined)[];
  /** Where to log one line per run (stderr in the CLI). */
  log?(line: string): void;
}

export interface ServeHandle {
  url: string;
  /** Resolves after the next run completes (tests use it to wait for a flip). */
  nextRun(): Promise<RunResult>;
  close(): Promise<void>;
}

/** Every path the server answers (examples and probes are checked against it). */
export const SERVED_PATHS = ['/healthz', '/livez', '/readyz', '/results', '/metrics'] as const;

/** Whether the run fails, by the rule the exit code of `check` follows (warnings under --strict, missing inputs). */
const failed = (run: RunResult) => exitCodeFor(run) !== 0;

/** Kubernetes-style verbose health: `[+]id ok` / `[-]id failed: reason`, then the verdict. */
function verboseHealth(run: RunResult): string {
  const lines = run.results.map((r) => {
    const name = r.target !== undefined ? `${r.target}/${r.id}` : r.id;
    if (isFailing(r.status)) return `[-]${name} failed: ${r.summary}`;
    if (r.status === 'warn' && run.strict) return `[-]${name} failed (warning, --strict): ${r.summary}`;
    if (r.status === 'skip') return `[+]${name} skipped: ${r.summary}`;
    return `[+]${name} ${r.status === 'warn' ? `ok (warning: ${r.summary})` : 'ok'}`;
  });
  const missing = (run.missingInputs ?? []).map((m) => `[-]input ${m.input}${m.target !== undefined ? ` [${m.target}]` : ''} missing: ${m.reason}`);
  return `${[...lines, ...missing].join('\n')}\nhealthz check ${failed(run) ? 'failed' : 'passed'}\n`;
}

/** Extra series only a long-running server knows: how many runs, whether the last one finished, when. */
export function serveMetrics(runs: number, inFlight: boolean): string {
  return [
    '# HELP duo_doctor_serve_runs_total Suite runs completed since the server started.',
    '# TYPE duo_doctor_serve_runs_total counter',
    `duo_doctor_serve_runs_total ${runs}`,
    '# HELP duo_doctor_serve_run_in_progress 1 while a suite run is in progress.',
    '# TYPE duo_doctor_serve_run_in_progress gauge',
    `duo_doctor_serve_run_in_progress ${inFlight ? 1 : 0}`,
    '',
  ].join('\n');
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  let latest: RunResult | undefined;
  let runs = 0;
  let inFlight: Promise<RunResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const shutdown = new AbortController();
  let waiters: Array<(run: RunResult) => void> = [];

  const runOnce = async (): Promise<void> => {
    if (inFlight || closed) return;
    inFlight = options.runSuite(shutdown.signal);
    try {
      const run = await inFlight;
      // A run cut short by the shutdown is not a verdict on the installation.
      if (closed) return;
      latest = run;
      runs++;
      await options.onRun?.(run);
      options.log?.(`run ${runs}: ${runSummary(run)}${failed(run) ? ' (failing)' : ''}`);
      const ready = waiters;
      waiters = [];
      for (const w of ready) w(latest);
    } catch (error) {
      options.log?.(`run failed: ${errorMessage(error)}`);
    } finally {
      inFlight = undefined;
      // The next run is scheduled from the end of this one, so runs never overlap however slow a run is.
      if (!closed) timer = setTimeout(() => void runOnce(), options.intervalMs);
    }
  };

  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    const safe = redactSecrets(body, options.secrets);
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(safe) });
    res.end(safe);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    switch (url.pathname) {
      case '/livez':
        return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      case '/readyz':
        return latest ? send(res, 200, 'text/plain; charset=utf-8', 'ok\n') : send(res, 503, 'text/plain; charset=utf-8', 'no run completed yet\n');
      case '/healthz': {
        if (!latest) return send(res, 503, 'text/plain; charset=utf-8', 'no run completed yet\n');
        const status = failed(latest) ? 503 : 200;
        return send(
          res,
          status,
          'text/plain; charset=utf-8',
          url.searchParams.has('verbose') ? verboseHealth(latest) : status === 200 ? 'ok\n' : 'failed\n',
        );
      }
      case '/results':
        if (!latest) return send(res, 503, 'application/json', '{"error":"no run completed yet"}\n');
        return send(res, 200, 'application/json', renderJson(latest, { color: false }));
      case '/metrics':
        return send(
          res,
          200,
          'text/plain; version=0.0.4; charset=utf-8',
          (latest ? renderPrometheus(latest, { color: false }) : '') + serveMetrics(runs, inFlight !== undefined),
        );
      default:
        return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /healthz?verbose, /results, /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  void runOnce();

  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    nextRun: () => new Promise((resolve) => waiters.push(resolve)),
    async close() {
      closed = true;
      clearTimeout(timer);
      // The run in flight is aborted, not awaited to its end: a shutdown must fit Kubernetes' grace period.
      shutdown.abort(new RunAborted('serve is shutting down'));
      await inFlight?.catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
