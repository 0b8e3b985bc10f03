// The JUnit report: valid against junit-10.xsd (checked by libxml2's own xmllint, compiled to WebAssembly and installed
// from npm, so no system package is needed), one testsuite per target, the right element per status. An integration test:
// each xmllint run starts a worker and compiles the WebAssembly (the golden test pins the report in the unit tier).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { render } from '../../src/report/junit.js';
import { multiTargetRun, sampleRun } from './sample.js';

const XSD = readFileSync(new URL('junit.xsd', import.meta.url), 'utf8');

/** xmllint --schema junit.xsd: `valid` and what xmllint printed on stderr ("- validates" or the errors). */
async function validate(xml: string): Promise<{ valid: boolean; stderr: string }> {
  const result = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema: { fileName: 'junit.xsd', contents: XSD } });
  return { valid: result.valid, stderr: result.rawOutput };
}

/** An XPath expression evaluated by xmllint: the document read by a real XML parser, not by regular expressions. */
async function xpath(xml: string, expression: string): Promise<string> {
  // xmllint-wasm has no XPath option of its own; its argument hook turns the formatting run into `xmllint --xpath`.
  const result = await validateXML({
    xml: { fileName: 'report.xml', contents: xml },
    normalization: 'format',
    modifyArguments: (args) => ['--xpath', expression, ...args.filter((a) => a !== '--format')],
  });
  expect(result.rawOutput).toBe('');
  return result.normalized.trim();
}

describe('junit report', async () => {
  it('validates against junit-10.xsd', async () => {
    const result = await validate(render(sampleRun(), { color: false }));
    expect(result.stderr).toBe('report.xml validates\n');
    expect(result.valid).toBe(true);
  });

  it('a run that lacked inputs or was cut short: one failing case per missing input, still valid', async () => {
    const run = {
      ...multiTargetRun(),
      missingInputs: [
        { input: 'token' as const, reason: 'no GitLab token given (GITLAB_TOKEN_EU is unset or empty)', checks: ['license'], target: 'eu' },
      ],
      aborted: "the run's deadline passed",
    };
    const xml = render(run, { color: false });
    expect((await validate(xml)).stderr).toBe('report.xml validates\n');
    expect(xml).toMatch(
      /<testcase name="missing input: token \[eu\]" classname="duo-doctor.inputs" time="0">\n {6}<failure message="no GitLab token given \(GITLAB_TOKEN_EU is unset or empty\)" type="missing-input">1 check skipped: license<\/failure>/,
    );
    expect(xml).toContain('<testcase name="run cut short" classname="duo-doctor.inputs"');
  });

  it('validates with several targets', async () => {
    const result = await validate(render(multiTargetRun(), { color: false }));
    expect(result.stderr).toBe('report.xml validates\n');
    expect(result.valid).toBe(true);
  });

  it('is checked by a schema that does reject a malformed report', async () => {
    const broken = render(sampleRun(), { color: false }).replace(/ tests="9" failures="2" errors="1" skipped/, ' skipped');
    const result = await validate(broken);
    expect(result.valid).toBe(false);
    expect(result.stderr).toMatch(/attribute 'tests' is required/);
  });

  it('has one testcase per check, named, classed by category and timed in seconds', async () => {
    const xml = render(sampleRun(), { color: false });
    expect(await xpath(xml, 'count(/testsuites/testsuite)')).toBe('1');
    expect(await xpath(xml, 'count(//testcase)')).toBe('9');
    expect(await xpath(xml, 'string(//testcase[5]/@name)')).toBe('gitlab-tls: GitLab serves a chain the gateway trusts');
    expect(await xpath(xml, 'string(//testcase[5]/@classname)')).toBe('duo-doctor.tls');
    expect(await xpath(xml, 'string(//testcase[4]/@time)')).toBe('10.002');
  });

  it('marks fail as failure, error as error, skip as skipped, and warn as a pass with output', async () => {
    const xml = render(sampleRun(), { color: false });
    expect(await xpath(xml, 'count(//testcase[failure])')).toBe('2');
    expect(await xpath(xml, 'count(//testcase[error])')).toBe('1');
    expect(await xpath(xml, 'count(//testcase[skipped])')).toBe('1');
    expect(await xpath(xml, 'count(//testcase[system-out])')).toBe('2');
    const failure = await xpath(xml, 'string(//testcase[5]/failure)');
    expect(failure).toContain('GitLab serves its leaf without the intermediate CA\nPresented: 1 certificate\n');
    expect(failure).toContain("Fix: Serve the full chain: append the intermediate certificate to the file named by nginx['ssl_certificate']");
  });

  it('keeps every escaped character intact through a real parser', async () => {
    const xml = render(sampleRun(), { color: false });
    const run = sampleRun();
    const warn = run.results.find((r) => r.id === 'version-match')!;
    expect(await xpath(xml, 'string(//testcase[9]/system-out)')).toBe(
      `WARNING: ${warn.summary}\n${warn.details.join('\n')}\nFix: ${warn.remediation}`,
    );
    expect(await xpath(xml, 'string(//testcase[9]/@name)')).toBe("version-match: The gateway matches GitLab's version");
  });

  it('writes one testsuite per target, with its own counts', async () => {
    const xml = render(multiTargetRun(), { color: false });
    expect(await xpath(xml, 'count(/testsuites/testsuite)')).toBe('2');
    expect(await xpath(xml, 'string(/testsuites/testsuite[2]/@name)')).toBe('staging');
    expect(await xpath(xml, 'string(/testsuites/testsuite[2]/@tests)')).toBe('3');
    expect(await xpath(xml, 'string(/testsuites/testsuite[2]/@failures)')).toBe('1');
    expect(await xpath(xml, 'string(/testsuites/@tests)')).toBe('12');
    expect(await xpath(xml, 'string(/testsuites/testsuite[2]/testcase[1]/@name)')).toBe('gateway-url: An AI gateway URL is configured [staging]');
  });
});
