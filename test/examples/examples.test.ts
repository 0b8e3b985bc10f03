// The pieces users paste in stay true to the CLI: CI jobs and Kubernetes manifests parse, name real options, point
// probes at the served port and paths, and take duo-doctor from artifacts the user keeps (the image built from
// examples/Dockerfile, the generic package registry), never from the npm registry at run time. The alert rules are
// judged by promtool in prometheus-rules.integration.test.ts.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli/main.js';
import { splitCommandLine } from '../../src/runtime/command-line.js';
import { SERVED_PATHS } from '../../src/serve/server.js';
import { ROOT } from '../helpers/cli.js';

const EXAMPLES = path.join(ROOT, 'examples');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Asserts that `argv` (after the `duo-doctor` word) names a real command and only its real options; returns the options. */
function assertCli(argv: readonly string[]): Map<string, string | true> {
  const start = argv.findIndex((word) => path.basename(word) === 'duo-doctor');
  expect(start, `no duo-doctor in ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
  const [name, ...rest] = argv.slice(start + 1);
  const command = buildProgram().commands.find((c) => c.name() === name);
  expect(command, `unknown command ${name}`).toBeDefined();
  const seen = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    expect(token.startsWith('--'), `unexpected argument ${token}`).toBe(true);
    const [flag, inline] = token.split(/=(.*)/s, 2) as [string, string | undefined];
    const option = command!.options.find((o) => o.long === flag);
    expect(option, `${name} has no option ${flag}`).toBeDefined();
    const value = option!.required ? (inline ?? rest[++i]) : true;
    expect(value, `${flag} needs a value`).toBeDefined();
    seen.set(flag, value!);
  }
  return seen;
}

const yamlDocs = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);

describe('examples/gitlab-ci.yml', () => {
  const ci = parse(readFileSync(path.join(EXAMPLES, 'gitlab-ci.yml'), 'utf8')) as Doc;
  const commands = (job: string) => (ci[job].script as string[]).filter((l) => l.includes('duo-doctor')).map(splitCommandLine);

  it('the smoke job writes the JUnit file that artifacts:reports:junit reads', () => {
    const [argv] = commands('duo-smoke');
    assertCli(argv!);
    const reports = argv!.filter((_, i) => argv![i - 1] === '--report');
    const junit = reports.find((r) => r.startsWith('junit='))?.slice('junit='.length);
    expect(junit).toBe(ci['duo-smoke'].artifacts.reports.junit);
    expect(ci['duo-smoke'].artifacts.when).toBe('always');
  });

  it('the pre-upgrade job gates on --target-version with --strict', () => {
    const [argv] = commands('duo-pre-upgrade');
    const options = assertCli(argv!);
    expect(options.get('--target-version')).toBe('$TARGET_GITLAB_VERSION');
    expect(options.has('--strict')).toBe(true);
  });
});

describe('examples/kubernetes', () => {
  const dir = path.join(EXAMPLES, 'kubernetes');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => yamlDocs(path.join(dir, f)).map((doc) => ({ file: f, doc })));
  const find = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
  const KNOWN: Record<string, string> = {
    Namespace: 'v1',
    ServiceAccount: 'v1',
    Service: 'v1',
    Role: 'rbac.authorization.k8s.io/v1',
    RoleBinding: 'rbac.authorization.k8s.io/v1',
    Deployment: 'apps/v1',
    CronJob: 'batch/v1',
    ServiceMonitor: 'monitoring.coreos.com/v1',
    PrometheusRule: 'monitoring.coreos.com/v1',
  };

  it.each(docs.map((d) => [`${d.file}: ${d.doc.kind} ${d.doc.metadata?.name}`, d.doc] as const))('%s has a known kind and apiVersion', (_n, doc) => {
    expect(KNOWN[doc.kind]).toBe(doc.apiVersion);
    expect(doc.metadata?.name).toBeTruthy();
  });

  it('the serve Deployment listens where its probes, Service and ServiceMonitor point', () => {
    const [deployment] = find('Deployment');
    const container = deployment!.spec.template.spec.containers[0];
    const options = assertCli([...container.command, ...container.args]);
    const port = Number(options.get('--port'));
    const named = container.ports.find((p: Doc) => p.containerPort === port);
    expect(named, 'a container port equal to --port').toBeDefined();
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const get = container[probe].httpGet;
      expect([named.name, port]).toContain(get.port);
      expect(SERVED_PATHS).toContain(get.path);
    }
    expect(deployment!.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
    const [service] = find('Service');
    const servicePort = service!.spec.ports[0];
    expect([named.name, port]).toContain(servicePort.targetPort);
    expect(service!.spec.selector).toEqual(deployment!.spec.selector.matchLabels);
    const [monitor] = find('ServiceMonitor');
    expect(monitor!.spec.endpoints[0].port).toBe(servicePort.name);
    expect(monitor!.spec.endpoints[0].path).toBe('/metrics');
    expect(monitor!.spec.selector.matchLabels).toEqual(service!.metadata.labels);
  });

  it('the CronJob runs a real check command with the token from a Secret', () => {
    const [cron] = find('CronJob');
    const container = cron!.spec.jobTemplate.spec.template.spec.containers[0];
    assertCli([...container.command, ...container.args]);
    const token = container.env.find((e: Doc) => e.name === 'GITLAB_TOKEN');
    expect(token.valueFrom.secretKeyRef).toBeDefined();
  });
});

describe('examples take duo-doctor from artifacts the user keeps', () => {
  const files = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ya?ml|md)$|Dockerfile$/.test(f));

  it.each(files)('%s never runs npx', (file) => {
    expect(readFileSync(path.join(EXAMPLES, file), 'utf8')).not.toMatch(/\bnpx\b/);
  });

  const dockerfile = readFileSync(path.join(EXAMPLES, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));

  it('the Dockerfile copies the executable build:sea writes onto PATH and runs it', () => {
    const copy = instructions.filter((l) => l.startsWith('COPY ')).map((l) => l.split(/\s+/).slice(1));
    expect(copy).toEqual([['duo-doctor-linux-x64', '/usr/local/bin/duo-doctor']]);
    const buildSea = readFileSync(path.join(ROOT, 'scripts/build-sea.mjs'), 'utf8');
    expect(buildSea).toContain('default: `release/duo-doctor-${process.platform}-${process.arch}`');
    expect(instructions).toContain('ENTRYPOINT ["duo-doctor"]');
    // Node's linux-x64 binary needs glibc: a Debian base, no musl (Alpine) one.
    expect(instructions).toContain('ARG BASE=debian:bookworm-slim');
    expect(instructions).toContain('FROM ${BASE}');
  });

  it('the Kubernetes workloads run the image the Dockerfile builds, by the name it installs', () => {
    const tag = /docker build -f examples\/Dockerfile -t (\S+) release\//.exec(dockerfile)?.[1];
    expect(tag).toBe(`registry.example.com/duo-doctor:${VERSION}`);
    const dir = path.join(EXAMPLES, 'kubernetes');
    const containers = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => yamlDocs(path.join(dir, f)))
      .flatMap((doc) => (doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec)?.containers ?? []);
    expect(containers.length).toBe(2);
    for (const c of containers) {
      expect(c.image).toBe(tag);
      expect(c.command[0]).toBe('duo-doctor');
    }
  });

  it('the GitLab CI jobs download the packed tarball from the generic package registry and install it offline', () => {
    const ci = parse(readFileSync(path.join(EXAMPLES, 'gitlab-ci.yml'), 'utf8')) as Doc;
    expect(ci.variables.DUO_DOCTOR_VERSION).toBe(VERSION);
    const [download, install] = (ci['.duo-doctor'].before_script as string[]).map(splitCommandLine);
    // GET /projects/:id/packages/generic/:package_name/:package_version/:file_name (lib/api/generic_packages.rb) with the job token.
    expect(download).toContain('JOB-TOKEN: $CI_JOB_TOKEN');
    const tarball = 'duo-doctor-$DUO_DOCTOR_VERSION.tgz'; // npm pack's name: <name>-<version>.tgz
    expect(download!.at(-1)).toBe(`$CI_API_V4_URL/projects/$DUO_DOCTOR_PROJECT_ID/packages/generic/duo-doctor/$DUO_DOCTOR_VERSION/${tarball}`);
    expect(download![download!.indexOf('--output') + 1]).toBe(tarball);
    expect(install).toEqual(['npm', 'install', '-g', '--offline', '--no-audit', '--no-fund', `./${tarball}`]);
    for (const job of ['duo-smoke', 'duo-pre-upgrade']) expect(ci[job].extends).toBe('.duo-doctor');
  });

  it("README's CI job installs as the example does", () => {
    const ci = parse(readFileSync(path.join(EXAMPLES, 'gitlab-ci.yml'), 'utf8')) as Doc;
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### In CI (after each deploy)'));
    const job = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!) as Doc;
    const example = (ci['.duo-doctor'].before_script as string[]).map((line) => splitCommandLine(line.replaceAll('$DUO_DOCTOR_VERSION', VERSION)));
    expect((job['duo-smoke'].before_script as string[]).map(splitCommandLine)).toEqual(example);
  });
});
