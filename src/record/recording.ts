// A recording of one run: the facts every judged check gathered, the HTTP exchanges (HAR), the presented certificate
// chains, the settings (no token) and the result — written to a directory, read back for `duo-doctor replay`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { RunResult } from '../model.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ObservedExchange } from './exchange-log.js';
import { toHar } from './har.js';
import { REDACTED, scrubJson, scrubUrl } from './scrub.js';

/** What marks a directory's recording.json as ours, and the newest layout this build reads. */
export const RECORDING_FORMAT = 'duo-doctor-recording';
export const RECORDING_FORMAT_VERSION = 1;

/** The facts one check gathered for one target (`target` absent for a single-installation run). */
export interface RecordedFacts {
  target?: string;
  check: string;
  facts: unknown;
}

/** recording.json. */
export interface Recording {
  format: typeof RECORDING_FORMAT;
  formatVersion: number;
  tool: { name: string; version: string };
  recordedAt: string;
  settings: Record<string, unknown>;
  facts: RecordedFacts[];
  result: RunResult;
}

/** What a run hands the recorder. */
export interface RunObservations {
  run: RunResult;
  settings: Settings;
  facts: RecordedFacts[];
  exchanges: ObservedExchange[];
  /** Every secret the run held (each target's token): removed wherever it appears. */
  secrets: readonly string[];
}

/** Environment variables the gateway's behaviour depends on: the only ones a recording keeps. */
const GATEWAY_ENV =
  /^(AIGW_|AI_GATEWAY_|DUO_WORKFLOW_|HF_|SSL_CERT_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|(HTTPS?|NO|ALL)_PROXY$|(https?|no|all)_proxy$)/;
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH_HEADER)/i;

/** The gateway-relevant part of an environment, secret-named values masked and URLs stripped of credentials. */
export function recordedEnv(env: Settings['env'], secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !GATEWAY_ENV.test(name)) continue;
    // A boolean switch (…_BYPASS_…) is not a secret even when its name says KEY; an empty value shows it was set but empty.
    out[name] = SECRET_NAME.test(name) && value !== '' ? REDACTED : scrubUrl(value, secrets);
  }
  return out;
}

/** The settings worth recording: targets and options, never the token, the environment reduced as above. */
function recordedSettings(settings: Settings, secrets: readonly string[]): Record<string, unknown> {
  const { gitlabToken, env, installations, reports, ...rest } = settings;
  return scrubJson(
    {
      ...rest,
      concurrency: Number.isFinite(rest.concurrency) ? rest.concurrency : 'unlimited',
      gitlabToken: gitlabToken === undefined ? 'absent' : 'given (not recorded)',
      env: recordedEnv(env, secrets),
      reports: reports.map((r) => r.format),
      ...(installations ? { installations: installations.map((i) => ({ name: i.name, settings: recordedSettings(i.settings, secrets) })) } : {}),
    },
    secrets,
  ) as Record<string, unknown>;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Certificates found anywhere in a check's facts (the chains TLS probes captured), for `tls/<check>.pem`. */
function certificatesIn(facts: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.match(PEM_CERT) ?? []) found.add(m);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(facts);
  return [...found];
}

/** Writes DIR/recording.json, DIR/exchanges.har and DIR/tls/*.pem; returns the files written (relative to DIR). */
export async function writeRecording(dir: string, o: RunObservations): Promise<string[]> {
  await mkdir(join(dir, 'tls'), { recursive: true });
  const recording: Recording = {
    format: RECORDING_FORMAT,
    formatVersion: RECORDING_FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    recordedAt: o.run.startedAt,
    settings: recordedSettings(o.settings, o.secrets),
    facts: o.facts.map((f) => ({ ...f, facts: scrubJson(f.facts, o.secrets) })),
    result: scrubJson(o.run, o.secrets) as RunResult,
  };
  const files = ['recording.json', 'exchanges.har'];
  await writeFile(join(dir, 'recording.json'), `${JSON.stringify(recording, null, 2)}\n`);
  await writeFile(join(dir, 'exchanges.har'), `${JSON.stringify(toHar(o.exchanges, o.secrets), null, 2)}\n`);
  for (const f of o.facts) {
    const certs = certificatesIn(f.facts);
    if (!certs.length) continue;
    const name = join('tls', `${f.target ? `${f.target}-` : ''}${f.check}.pem`);
    await writeFile(join(dir, name), `${certs.join('\n')}\n`);
    files.push(name);
  }
  return files;
}

/** Why a directory is not a recording this build can replay. */
export class RecordingError extends Error {}

/** Reads DIR/recording.json, saying exactly what is missing or newer than this build understands. */
export async function readRecording(dir: string): Promise<Recording> {
  let text: string;
  try {
    text = await readFile(join(dir, 'recording.json'), 'utf8');
  } catch (error) {
    throw new RecordingError(
      `${dir} holds no recording.json (${(error as NodeJS.ErrnoException).code ?? String(error)}): record one with duo-doctor check --record ${dir}`,
    );
  }
  let doc: Partial<Recording>;
  try {
    doc = JSON.parse(text) as Partial<Recording>;
  } catch (error) {
    throw new RecordingError(`${join(dir, 'recording.json')} is not valid JSON: ${(error as Error).message}`);
  }
  if (doc.format !== RECORDING_FORMAT)
    throw new RecordingError(`${join(dir, 'recording.json')} is not a duo-doctor recording (format ${JSON.stringify(doc.format)})`);
  if (typeof doc.formatVersion !== 'number' || doc.formatVersion > RECORDING_FORMAT_VERSION) {
    throw new RecordingError(
      `the recording has format version ${String(doc.formatVersion)}, newer than this duo-doctor (${TOOL_VERSION}) reads (${RECORDING_FORMAT_VERSION}): replay it with the duo-doctor that recorded it (${doc.tool?.version ?? 'unknown'}) or newer`,
    );
  }
  const missing = (['tool', 'recordedAt', 'facts', 'result'] as const).filter((k) => doc[k] === undefined);
  if (missing.length) throw new RecordingError(`the recording lacks ${missing.join(', ')}: it cannot be replayed`);
  return doc as Recording;
}
