// Which releases the reference gateway treats as before the Host-header fix, and the path Starlette < 1.0.1 rebuilds.
import { describe, expect, it } from 'vitest';
import { predatesHostHeaderFix, starletteUrlPath } from '../../src/reference/gateway/releases.js';

describe('starletteUrlPath (urlsplit of {scheme}://{Host}{path})', () => {
  it.each([
    ['127.0.0.1:5052', '/v2/code/completions', '/v2/code/completions'],
    ['x/monitoring/healthz?', '/v2/code/completions', '/monitoring/healthz'],
    ['x/monitoring/healthz#', '/v2/code/completions', '/monitoring/healthz'],
    ['example.com/x', '/v2/code/completions', '/x/v2/code/completions'],
    ['example.com?', '/v2/code/completions', ''],
    ['example.com#frag', '/v2/code/completions', ''],
    ['', '/v2/code/completions?a=1', '/v2/code/completions'],
    [undefined, '/monitoring/ready?x', '/monitoring/ready'],
  ])('Host %j, target %s → %j', (host, target, expected) => {
    expect(starletteUrlPath(host, target)).toBe(expected);
  });
});

describe('predatesHostHeaderFix', () => {
  it.each([
    ['self-hosted-v18.6.0-ee', true],
    ['self-hosted-v19.0.99-ee', true],
    ['self-hosted-v19.1.0-ee', false],
    ['self-hosted-v19.4.1-ee', false],
    ['self-hosted-nightly', false],
  ])('%s → %s', (version, expected) => {
    expect(predatesHostHeaderFix(version)).toBe(expected);
  });
});
