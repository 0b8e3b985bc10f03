// The JUnit report: valid against junit-10.xsd (checked by the real xmllint), one testsuite per target, the right
// element per status. xmllint is required: without it these tests fail rather than skip.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/report/junit.js';
import { multiTargetRun, sampleRun } from './sample.js';

const XSD = fileURLToPath(new URL('junit.xsd', import.meta.url));

/** Runs xmllint on `xml` from stdin; throws with the fix when xmllint is not installed. */
function xmllint(args: string[], xml: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('xmllint', [...args, '-'], { input: xml, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`xmllint is needed to validate the JUnit report and could not run (${result.error.message}): apt-get install libxml2-utils`);
  }
  return result;
}

function validate(xml: string) {
  return xmllint(['--noout', '--schema', XSD], xml);
}

/** An XPath expression evaluated by xmllint: the document read by a real XML parser, not by regular expressions. */
function xpath(xml: string, expression: string): string {
  const result = xmllint(['--xpath', expression], xml);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('junit report', () => {
  it('validates against junit-10.xsd', () => {
    const result = validate(render(sampleRun(), { color: false }));
    expect(result.stderr).toContain('- validates');
    expect(result.status).toBe(0);
  });

  it('validates with several targets', () => {
    const result = validate(render(multiTargetRun(), { color: false }));
    expect(result.stderr).toContain('- validates');
    expect(result.status).toBe(0);
  });

  it('is checked by a schema that does reject a malformed report', () => {
    const broken = render(sampleRun(), { color: false }).replace(/ tests="9" failures="2" errors="1" skipped/, ' skipped');
    const result = validate(broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/attribute 'tests' is required/);
  });

  it('has one testcase per check, named, classed by category and timed in seconds', () => {
    const xml = render(sampleRun(), { color: false });
    expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('1');
    expect(xpath(xml, 'count(//testcase)')).toBe('9');
    expect(xpath(xml, 'string(//testcase[5]/@name)')).toBe('gitlab-tls: GitLab serves a chain the gateway trusts');
    expect(xpath(xml, 'string(//testcase[5]/@classname)')).toBe('duo-doctor.tls');
    expect(xpath(xml, 'string(//testcase[4]/@time)')).toBe('10.002');
  });

  it('marks fail as failure, error as error, skip as skipped, and warn as a pass with output', () => {
    const xml = render(sampleRun(), { color: false });
    expect(xpath(xml, 'count(//testcase[failure])')).toBe('2');
    expect(xpath(xml, 'count(//testcase[error])')).toBe('1');
    expect(xpath(xml, 'count(//testcase[skipped])')).toBe('1');
    expect(xpath(xml, 'count(//testcase[system-out])')).toBe('2');
    const failure = xpath(xml, 'string(//testcase[5]/failure)');
    expect(failure).toContain('GitLab serves its leaf without the intermediate CA\nPresented: 1 certificate\n');
    expect(failure).toContain("Fix: Serve the full chain: append the intermediate certificate to the file named by nginx['ssl_certificate']");
  });

  it('keeps every escaped character intact through a real parser', () => {
    const xml = render(sampleRun(), { color: false });
    const run = sampleRun();
    const warn = run.results.find((r) => r.id === 'version-match')!;
    expect(xpath(xml, 'string(//testcase[9]/system-out)')).toBe(`WARNING: ${warn.summary}\n${warn.details.join('\n')}\nFix: ${warn.remediation}`);
    expect(xpath(xml, 'string(//testcase[9]/@name)')).toBe("version-match: The gateway matches GitLab's version");
  });

  it('writes one testsuite per target, with its own counts', () => {
    const xml = render(multiTargetRun(), { color: false });
    expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('2');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/@name)')).toBe('staging');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/@tests)')).toBe('3');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/@failures)')).toBe('1');
    expect(xpath(xml, 'string(/testsuites/@tests)')).toBe('12');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/testcase[1]/@name)')).toBe('gateway-url: An AI gateway URL is configured [staging]');
  });
});
