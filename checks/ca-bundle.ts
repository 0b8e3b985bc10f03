// ca-bundle: SSL_CERT_FILE / REQUESTS_CA_BUNDLE / --ca-file exist, agree, parse block by block, hold CA certificates only.
import { resolve } from 'node:path';
import { defineCheck, type CheckContext } from '../src/check.js';
import { combineFindings, type Finding } from '../src/findings.js';
import { readBundle, type BundleRead } from '../src/probes/trust.js';
import { auditBundle, bundleFingerprints, type BundleFinding, type BundleStats } from '../src/tls/bundle-audit.js';

type Variable = 'SSL_CERT_FILE' | 'REQUESTS_CA_BUNDLE' | '--ca-file';

/** The guide's advice when the two variables do not name the same bundle. */
const SET_BOTH =
  'Set both SSL_CERT_FILE and REQUESTS_CA_BUNDLE to the same bundle in the gateway\'s environment (the install guide says set both: ' +
  'the gateway\'s HTTP libraries read one or the other — Python\'s ssl/httpx read SSL_CERT_FILE, requests reads REQUESTS_CA_BUNDLE).';

/** Every configured bundle path, with the variables that name it (one entry per distinct file). */
function configuredBundles(ctx: CheckContext): { file: string; variables: Variable[] }[] {
  const named: [Variable, string | undefined][] = [
    ['SSL_CERT_FILE', ctx.settings.env.SSL_CERT_FILE],
    ['REQUESTS_CA_BUNDLE', ctx.settings.env.REQUESTS_CA_BUNDLE],
    ['--ca-file', ctx.settings.caFile],
  ];
  const byFile = new Map<string, Variable[]>();
  for (const [variable, value] of named) {
    if (!value) continue;
    const file = resolve(value);
    byFile.set(file, [...(byFile.get(file) ?? []), variable]);
  }
  return [...byFile].map(([file, variables]) => ({ file, variables }));
}

/** Whether the two gateway variables lead to the same certificates; the guide's "set both" otherwise. */
function pairFindings(ctx: CheckContext, reads: ReadonlyMap<string, BundleRead>): BundleFinding[] {
  const { SSL_CERT_FILE: ssl, REQUESTS_CA_BUNDLE: requests } = ctx.settings.env;
  if (!ssl && !requests) {
    return [{ severity: 'note', message: "SSL_CERT_FILE and REQUESTS_CA_BUNDLE are not set here: the gateway uses its system roots unless its own environment sets them" }];
  }
  if (!ssl || !requests) {
    const [set, unset] = ssl ? ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] : ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'];
    return [{ severity: 'warn', message: `only ${set} is set: ${unset} is not, so the gateway's HTTP library that reads ${unset} still trusts only its own default roots`, fix: SET_BOTH }];
  }
  const a = reads.get(resolve(ssl));
  const b = reads.get(resolve(requests));
  if (!a || !b || a.file === b.file) return a && b ? [{ severity: 'note', message: `SSL_CERT_FILE and REQUESTS_CA_BUNDLE both name ${a.file}` }] : [];
  const fa = bundleFingerprints(a);
  const fb = bundleFingerprints(b);
  const onlyA = [...fa].filter(([fp]) => !fb.has(fp)).map(([, label]) => label);
  const onlyB = [...fb].filter(([fp]) => !fa.has(fp)).map(([, label]) => label);
  if (onlyA.length === 0 && onlyB.length === 0) {
    return [{ severity: 'note', message: `SSL_CERT_FILE (${a.file}) and REQUESTS_CA_BUNDLE (${b.file}) are different files with the same certificates` }];
  }
  const diff = [onlyA.length ? `only in SSL_CERT_FILE: ${onlyA.join(', ')}` : '', onlyB.length ? `only in REQUESTS_CA_BUNDLE: ${onlyB.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
  return [{ severity: 'warn', message: `SSL_CERT_FILE (${a.file}) and REQUESTS_CA_BUNDLE (${b.file}) hold different certificates (${diff}): the gateway trusts different CAs depending on which library makes the call`, fix: SET_BOTH }];
}

export default defineCheck({
  id: 'ca-bundle',
  title: 'CA bundles (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, --ca-file) load as the gateway loads them',
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  explain: {
    checks:
      'Each of SSL_CERT_FILE, REQUESTS_CA_BUNDLE (the gateway\'s environment) and --ca-file: the file exists and is readable; every PEM ' +
      'block parses (each bad one named by index and line — Node silently drops them, the gateway\'s Python does not); it holds ' +
      'certificates only (no private key), CA certificates rather than server certificates, none expired; duplicates are noted; ' +
      'the two variables name the same bundle or bundles with the same certificates.',
    failsWhen:
      'A file is missing or unreadable; a block is malformed (Python rejects the whole file: "[X509] PEM lib"); the file holds no ' +
      'certificate (empty, DER: "NO_CERTIFICATE_OR_CRL_FOUND"); a private key is inside; every certificate in it has expired. Warns on ' +
      'server certificates, an expired CA among valid ones, only one of the two variables set, or the two naming different certificates.',
    fix:
      'Keep one PEM bundle of root CA certificates, readable by the gateway, and name it in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE; ' +
      'remove keys (and rotate them), broken blocks and expired CAs.',
  },
  async run(ctx) {
    const bundles = configuredBundles(ctx);
    if (bundles.length === 0) return { status: 'skip', summary: 'no CA bundle configured (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, --ca-file); the gateway uses its system roots' };
    const now = new Date();
    const reads = new Map<string, BundleRead>();
    const findings: BundleFinding[] = [];
    const evidence: (BundleStats & { file: string; variables: Variable[]; readError?: string })[] = [];
    for (const { file, variables } of bundles) {
      const read = await readBundle(ctx, file);
      reads.set(file, read);
      const audit = auditBundle(read, now, ctx.settings.expiryWarnDays);
      findings.push(...audit.findings.map((f) => ({ ...f, message: `${variables.join(', ')}: ${f.message}` })));
      evidence.push({ file, variables, ...(read.readError ? { readError: read.readError.code } : {}), ...audit.stats });
    }
    findings.push(...pairFindings(ctx, reads));
    const overview = evidence.map((e) => `${e.variables.join(', ')} = ${e.file}: ${e.certificates} certificate(s) in ${e.blocks} block(s)`);
    const notes = findings.filter((f) => f.severity === 'note').map((f) => `note: ${f.message}`);
    const problems: Finding[] = findings.flatMap((f) =>
      f.severity === 'note' ? [] : [{ status: f.severity, summary: f.message, ...(f.fix ? { fix: f.fix } : {}) }],
    );
    const passSummary = `${evidence.map((e) => `${e.certificates} CA certificate(s) in ${e.file} (${e.variables.join(', ')})`).join('; ')}: all load, none expired`;
    return combineFindings(problems, passSummary, [...overview, ...notes], { bundles: evidence });
  },
});
