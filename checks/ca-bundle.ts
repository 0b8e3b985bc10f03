// ca-bundle: the gateway's SSL_CERT_FILE / REQUESTS_CA_BUNDLE (where the gateway runs) and --ca-file exist, agree, parse block
// by block and hold CA certificates only. A distribution's own bundle is not the user's to fix: its expired roots are only said.
import { plural } from '../src/plural.js';
import { resolve } from 'node:path';
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import type { Env } from '../src/config/settings.js';
import {
  auditBundle,
  bundleFingerprints,
  bundleMessages,
  type BundleFacts,
  type BundleFinding,
  type BundleVariable,
} from '../src/judge/ca-bundle.js';
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../src/judge/runtime-place.js';
import { readBundle } from '../src/probes/trust.js';
import type { RuntimePlace } from '../src/runtime/facts.js';
import { containerBundle } from '../src/runtime/gateway-view.js';
import { gatewayEnv, runtimePlace } from '../src/runtime/host.js';
import { bundleFacts, localRealPath } from '../src/tls/bundle-facts.js';

export const messages = {
  ...bundleMessages,
  noBundle: {
    status: 'skip',
    text: (d: { elsewhere: boolean }) =>
      d.elsewhere
        ? "no CA bundle to judge: this host is not where the gateway runs, so its SSL_CERT_FILE / REQUESTS_CA_BUNDLE are not the gateway's; " +
          "give the gateway's bundle with --ca-file, or run where the gateway runs"
        : 'no CA bundle configured (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, --ca-file); the gateway uses its system roots',
  },
} satisfies Messages;

type GatewayVariable = Exclude<BundleVariable, '--ca-file'>;

/**
 * The bundles read, the gateway's two variables as paths (`gatewayVariables`, absent when the gateway's environment is not
 * known here), this host's own variables left unjudged (`ignored`), and the moment judged.
 */
export interface Facts {
  place: RuntimePlace['kind'];
  bundles: BundleFacts[];
  gatewayVariables?: Partial<Record<GatewayVariable, string>>;
  ignored: GatewayVariable[];
  now: number;
  expiryWarnDays: number;
}

/** Whether the two gateway variables lead to the same certificates; the guide's "set both" otherwise. */
function pairFindings(variables: Partial<Record<GatewayVariable, string>>, bundles: readonly BundleFacts[]): BundleFinding[] {
  const { SSL_CERT_FILE: ssl, REQUESTS_CA_BUNDLE: requests } = variables;
  if (!ssl && !requests) return [{ id: 'variablesUnset' }];
  if (!ssl || !requests)
    return [
      {
        id: 'onlyOneVariable',
        data: ssl ? { set: 'SSL_CERT_FILE', unset: 'REQUESTS_CA_BUNDLE' } : { set: 'REQUESTS_CA_BUNDLE', unset: 'SSL_CERT_FILE' },
      },
    ];
  const a = bundles.find((b) => b.file === ssl);
  const b = bundles.find((x) => x.file === requests);
  if (!a || !b) return [];
  if (a.file === b.file) return [{ id: 'sameFile', data: { file: a.file } }];
  const fa = bundleFingerprints(a);
  const fb = bundleFingerprints(b);
  const onlyA = [...fa].filter(([fp]) => !fb.has(fp)).map(([, label]) => label);
  const onlyB = [...fb].filter(([fp]) => !fa.has(fp)).map(([, label]) => label);
  if (onlyA.length === 0 && onlyB.length === 0) return [{ id: 'sameCertificates', data: { a: a.file, b: b.file } }];
  const diff = [
    // Stryker disable next-line StringLiteral: the empty side is filtered out below
    onlyA.length ? `only in SSL_CERT_FILE: ${onlyA.join(', ')}` : '',
    // Stryker disable next-line StringLiteral: the empty side is filtered out below
    onlyB.length ? `only in REQUESTS_CA_BUNDLE: ${onlyB.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return [{ id: 'variablesDiffer', data: { a: a.file, b: b.file, diff } }];
}

export function judge(facts: Facts): Judgement<typeof messages> {
  if (facts.bundles.length === 0) {
    const elsewhere = facts.place === 'elsewhere';
    return { findings: [{ id: 'noBundle', data: { elsewhere }, ...(elsewhere ? { details: [...RUN_WHERE_THE_GATEWAY_RUNS] } : {}) }] };
  }
  const audits = facts.bundles.map((b) => ({ bundle: b, ...auditBundle(b, facts.now, facts.expiryWarnDays) }));
  const findings: Judgement<typeof messages>['findings'] = audits.flatMap((a) => a.findings);
  if (facts.gatewayVariables) findings.push(...pairFindings(facts.gatewayVariables, facts.bundles));
  const problems = findings.some((f) => messages[f.id].status !== 'pass');
  if (!problems) {
    findings.unshift({
      id: 'allLoad',
      data: {
        bundles: audits.map((a) => `${plural(a.stats.certificates, 'CA certificate')} in ${a.bundle.file} (${a.bundle.variables.join(', ')})`),
      },
    });
  }
  const ignored = facts.ignored.length
    ? [`${facts.ignored.join(' and ')} of this host: not judged (this host is not where the gateway runs, so they are not the gateway's)`]
    : [];
  return {
    findings,
    details: [
      ...audits.map(
        (a) =>
          `${a.bundle.variables.join(', ')} = ${a.bundle.file}: ${
            a.stats.readError !== undefined
              ? `not read (${a.stats.readError})`
              : `${plural(a.stats.certificates, 'certificate')} in ${plural(a.stats.blocks, 'block')}`
          }`,
      ),
      ...ignored,
    ],
    evidence: { bundles: audits.map((a) => a.stats) },
  };
}

// Stryker disable all: gatewayVariables is gather (it reads the gateway's environment through --exec)
/** The gateway's two variables where it runs: the container's (--exec), this host's when it is the gateway's, else none. */
async function gatewayVariables(ctx: CheckContext, place: RuntimePlace): Promise<Partial<Record<GatewayVariable, string>> | undefined> {
  if (place.kind === 'elsewhere') return undefined;
  const env: Env = place.kind === 'exec' ? await gatewayEnv(ctx) : ctx.settings.env;
  // Inside the container a relative path means nothing here: it is kept as the container reads it.
  const path = (v: string) => (place.kind === 'exec' ? v : resolve(v));
  return Object.fromEntries((['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] as const).flatMap((k) => (env[k] ? [[k, path(env[k])]] : [])));
}
// Stryker restore all

export default defineCheck({
  id: 'ca-bundle',
  title: 'CA bundles (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, --ca-file) load as the gateway loads them',
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  explain: {
    checks:
      "Each of the gateway's SSL_CERT_FILE and REQUESTS_CA_BUNDLE — read where the gateway runs (--exec, or this host when its " +
      "environment is the gateway's; another host's variables are not the gateway's and are not judged) — and --ca-file: the file exists " +
      "and is readable; every PEM block parses (each bad one named by index and line — Node silently drops them, the gateway's Python " +
      'does not); it holds certificates only (no private key), CA certificates rather than server certificates, none expired; duplicates ' +
      "are noted; the two variables name the same bundle or bundles with the same certificates. A distribution's own bundle " +
      "(/etc/ssl/certs/ca-certificates.crt and the like, or certifi's) is maintained by the distribution: its expired roots are noted, not warned about.",
    failsWhen:
      'A file is missing or unreadable; a block is malformed (Python rejects the whole file: "[X509] PEM lib"); the file holds no ' +
      'certificate (empty, DER: "NO_CERTIFICATE_OR_CRL_FOUND"); a private key is inside; every certificate in it has expired. Warns on ' +
      'server certificates, an expired CA among valid ones in a bundle of your own, one expiring within --expiry-warn-days, only one of ' +
      'the two variables set, or the two naming different certificates.',
    fix:
      'Keep one PEM bundle of root CA certificates, readable by the gateway, and name it in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE; ' +
      'remove keys (and rotate them), broken blocks and expired CAs.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    const variables = await gatewayVariables(ctx, place);
    const named = new Map<string, { variables: BundleVariable[]; inside: boolean }>();
    const add = (file: string, variable: BundleVariable, inside: boolean) => {
      const entry = named.get(`${inside}:${file}`) ?? { variables: [], inside };
      named.set(`${inside}:${file}`, { ...entry, variables: [...entry.variables, variable] });
    };
    for (const [variable, file] of Object.entries(variables ?? {}) as [GatewayVariable, string][]) add(file, variable, place.kind === 'exec');
    if (ctx.settings.caFile) add(resolve(ctx.settings.caFile), '--ca-file', false);
    const bundles = await Promise.all(
      [...named].map(async ([key, { variables: vars, inside }]) => {
        const file = key.slice(key.indexOf(':') + 1);
        if (inside) return bundleFacts(await containerBundle(ctx, file), vars);
        const [read, realPath] = await Promise.all([readBundle(ctx, file), localRealPath(file)]);
        return bundleFacts(read, vars, realPath);
      }),
    );
    const ignored = place.kind === 'elsewhere' ? (['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] as const).filter((v) => ctx.settings.env[v]) : [];
    return {
      place: place.kind,
      bundles,
      ...(variables ? { gatewayVariables: variables } : {}),
      ignored: [...ignored],
      now: Date.now(),
      expiryWarnDays: ctx.settings.expiryWarnDays,
    };
  },
  // Stryker restore all
  judge,
});
