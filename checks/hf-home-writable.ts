// hf-home-writable: where the gateway runs, HF_HOME holds the tokenizer cache the image ships and the gateway can write there.
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import { pythonOsError, writableFindings, writableMessages } from '../src/judge/writable.js';
import type { GatewayPlace, HubCacheEntry, NotTheGateway, WriteAttempt } from '../src/runtime/facts.js';
import { gatewayEnv, hfHomeDir, hubCacheEntry, runtimePlace, writeAttempt } from '../src/runtime/host.js';

/**
 * The tokenizer the gateway loads at start (ai_gateway/tokenizer.py: AutoTokenizer.from_pretrained("Salesforce/codegen2-16B")),
 * downloaded into HF_HOME when the image is built (Dockerfile: RUN poetry run python scripts/bootstrap.py, HF_HOME=/home/aigateway/.hf).
 */
export const TOKENIZER_MODEL = 'Salesforce/codegen2-16B';
/** The image's HF_HOME (Dockerfile: ENV HF_HOME=/home/aigateway/.hf), where that cache lives. */
export const IMAGE_HF_HOME = '/home/aigateway/.hf';
/** A snapshot the tokenizer loads from holds at least this file (transformers reads it first). */
const TOKENIZER_CONFIG = 'tokenizer_config.json';

const KEEP_THE_CACHE =
  `Keep the tokenizer cache the image ships in ${IMAGE_HF_HOME}: never point HF_HOME at an empty directory or mount an empty volume ` +
  'over it while HF_HUB_OFFLINE=true (the self-hosted image sets it) — the gateway then tries to download its tokenizer from ' +
  'huggingface.co and code completions fail with 500.';
const FIX = [
  "Make HF_HOME writable for the gateway's user without emptying it. Either:",
  `  - keep HF_HOME=${IMAGE_HF_HOME} and give the gateway's user write access to it (OpenShift runs the image with a random uid in`,
  `    group 0: build FROM the gateway image with RUN chgrp -R 0 ${IMAGE_HF_HOME} && chmod -R g=u ${IMAGE_HF_HOME}), or`,
  "  - copy the image's cache to a writable volume and point HF_HOME there, e.g. an init container running the gateway image:",
  `      cp -a ${IMAGE_HF_HOME}/. /var/tmp/huggingface/     (volume mounted at /var/tmp/huggingface in both containers)`,
  '    then in the Helm values.yaml: extraEnvironmentVariables: [{name: HF_HOME, value: /var/tmp/huggingface}]',
  '    (docker run -e HF_HOME=/var/tmp/huggingface -v <volume holding the copy>:/var/tmp/huggingface ...).',
  KEEP_THE_CACHE,
].join('\n');

const CACHE_FIX = (d: { dir: string }) =>
  [
    `Give the gateway the tokenizer cache where HF_HOME points (${d.dir}). Either:`,
    `  - unset HF_HOME (and HF_HUB_CACHE), or mount nothing over ${IMAGE_HF_HOME}: the image ships the cache there; or`,
    `  - copy the image's cache into ${d.dir} before the gateway starts (init container running the gateway image with the volume`,
    `    mounted: cp -a ${IMAGE_HF_HOME}/. ${d.dir}/), or mount the writable volume beside the cache, not over it.`,
    'Then restart the gateway.',
  ].join('\n');

export const messages = {
  ...writableMessages((d) => `the gateway writes its HuggingFace cache there and logs "${pythonOsError(d.code)}" otherwise`, FIX),
  notTheGateway,
  cachePresent: {
    status: 'pass',
    text: (d: { model: string; repoDir: string; revision: string; files: number }) =>
      `the ${d.model} tokenizer is cached in ${d.repoDir} (snapshot ${d.revision.slice(0, 12)}, ${d.files} files)`,
  },
  cacheWillDownload: {
    status: 'pass',
    text: (d: { model: string; repoDir: string }) =>
      `${d.repoDir} holds no ${d.model} tokenizer; HF_HUB_OFFLINE is not set, so the gateway downloads it from huggingface.co on first use (it needs that egress)`,
  },
  readOnlySuffices: {
    status: 'pass',
    text: (d: { dir: string; who: string; code: string; variable: string }) =>
      `HF_HOME ${d.dir} is not writable by ${d.who} (${d.code}), and need not be: ${d.variable} and the tokenizer is cached there, so the ` +
      'gateway only reads it — do not move HF_HOME to an empty directory to "fix" this',
  },
  cacheMissing: {
    status: 'fail',
    text: (d: { model: string; repoDir: string; variable: string; dir: string }) =>
      `${d.variable} is on and ${d.repoDir} holds no ${d.model} tokenizer: the gateway cannot download it, so code completions fail with 500 ` +
      `(HF_HOME=${d.dir} is not the image's ${IMAGE_HF_HOME}, or something emptied or covered it)`,
    fix: CACHE_FIX,
  },
} satisfies Messages;

/** What was found where the gateway runs: HF_HOME and its source, offline mode, the write probe, the tokenizer's cache entry. */
export type Facts = { dir: string; source: string } & (
  { place: NotTheGateway } | { place: GatewayPlace; attempt: WriteAttempt; hubDir: string; offline?: string; cache: HubCacheEntry }
);

/** huggingface_hub's truthy values for HF_HUB_OFFLINE (constants.py: _is_true: "1", "ON", "YES", "TRUE", any case). */
const TRUE = /^(1|on|yes|true)$/i;

/** The variable that turns the hub offline, as huggingface_hub reads it (HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE). */
export function offlineVariable(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const name = env.HF_HUB_OFFLINE ? 'HF_HUB_OFFLINE' : env.TRANSFORMERS_OFFLINE ? 'TRANSFORMERS_OFFLINE' : undefined;
  // Stryker disable next-line StringLiteral: name is set only when env[name] is non-empty, so the fallback is never read
  return name && TRUE.test(env[name] ?? '') ? `${name}=${env[name]}` : undefined;
}

export function judge(facts: Facts): Judgement<typeof messages> {
  if (!('attempt' in facts)) return { findings: [notTheGatewayFinding(facts.place.hostname, `probing HF_HOME ${facts.dir}`)] };
  const { findings, details } = writableFindings(facts.attempt, `HF_HOME ${facts.dir}`);
  const { cache } = facts;
  // Stryker disable next-line ArrayDeclaration: no stand-in list holds tokenizer_config.json either
  const present = cache.revision !== undefined && (cache.files ?? []).includes(TOKENIZER_CONFIG);
  const cacheFinding = present
    ? ({
        id: 'cachePresent',
        data: { model: TOKENIZER_MODEL, repoDir: cache.repoDir, revision: cache.revision ?? '', files: cache.files?.length ?? 0 },
      } as const)
    : facts.offline
      ? ({ id: 'cacheMissing', data: { model: TOKENIZER_MODEL, repoDir: cache.repoDir, variable: facts.offline, dir: facts.dir } } as const)
      : ({ id: 'cacheWillDownload', data: { model: TOKENIZER_MODEL, repoDir: cache.repoDir } } as const);
  // Offline with the cache in place the gateway only reads HF_HOME: a write failure there is no problem, and moving HF_HOME
  // (the usual fix) would lose the cache.
  const readOnlyIsFine = present && facts.offline !== undefined && !facts.attempt.ok;
  const writeFindings = readOnlyIsFine
    ? [
        ...findings.filter((f) => f.id === 'leftBehind'),
        {
          id: 'readOnlySuffices' as const,
          data: {
            dir: facts.dir,
            // Stryker disable next-line OptionalChaining,StringLiteral: a failed attempt always yields a first finding, which names who tried
            who: findings[0]?.data.who ?? 'the probe',
            code: facts.attempt.code ?? 'error',
            // Stryker disable next-line StringLiteral: read-only suffices only when offline is set
            variable: facts.offline ?? '',
          },
        },
      ]
    : findings;
  return {
    findings: [cacheFinding, ...writeFindings],
    details: [
      `Probed ${placeLabel(facts.place)}; HF_HOME from ${facts.source}; hub cache ${facts.hubDir}.`,
      ...details,
      ...(present || !cache.problem ? [] : [`Tokenizer cache: ${cache.problem}`]),
    ],
    evidence: { ...facts.attempt, where: placeLabel(facts.place), cache, ...(facts.offline ? { offline: facts.offline } : {}) },
  };
}

export default defineCheck({
  id: 'hf-home-writable',
  title: "HF_HOME holds the gateway's tokenizer cache and is writable",
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      "Where the gateway runs (--exec, or this host when its environment is the gateway's; anywhere else it skips and says how): HF_HOME " +
      "(--hf-home, else the gateway's HF_HOME, else the image's /home/aigateway/.hf) is writable — a real create/write/fsync/read/delete " +
      `of a uniquely named file; a missing HF_HOME is not created, only whether it could be — and its hub cache (HF_HUB_CACHE, else ` +
      `HF_HOME/hub) holds the ${TOKENIZER_MODEL} tokenizer the image ships, which the offline image (HF_HUB_OFFLINE=true) cannot download.`,
    failsWhen:
      "The gateway cannot write there — typically OpenShift's restricted security context, which logs " +
      '"[Errno 13] Permission denied: \'/home/aigateway/.hf/...\'" — or the file system is read-only or full; or HF_HUB_OFFLINE is on ' +
      'and the tokenizer cache is not where HF_HOME points (HF_HOME moved to an empty directory, or a volume mounted over it): code ' +
      'completions then fail with 500. Offline with the cache in place, a read-only HF_HOME is fine (the gateway only reads it) and passes.',
    fix: FIX,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    // Elsewhere the gateway's environment is unknown: name the directory the settings give, read nothing.
    if (place.kind === 'elsewhere') return { place, dir: ctx.settings.hfHome, source: ctx.settings.hfHomeSource };
    const { dir, source } = await hfHomeDir(ctx);
    const env = await gatewayEnv(ctx);
    const hubDir = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || `${dir.replace(/\/+$/, '')}/hub`;
    const offline = offlineVariable(env);
    const [attempt, cache] = await Promise.all([writeAttempt(ctx, dir), hubCacheEntry(ctx, hubDir, TOKENIZER_MODEL)]);
    return { place, dir, source, attempt, hubDir, cache, ...(offline ? { offline } : {}) };
  },
  // Stryker restore all
  judge,
});
