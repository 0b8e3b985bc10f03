// Which proxy applies to a URL: variable precedence and NO_PROXY matching as curl / undici / Python do it.
import { describe, expect, it } from 'vitest';
import { noProxyMatch, proxyFor } from '../../src/probes/proxy-env.js';

describe('noProxyMatch', () => {
  it.each<[string, number, string, string | undefined]>([
    ['aigw.example.com', 5052, '*', '*'],
    ['aigw.example.com', 5052, 'example.com', 'example.com'],
    ['aigw.example.com', 5052, '.example.com', '.example.com'],
    ['aigw.example.com', 5052, '*.example.com', '*.example.com'],
    ['example.com', 443, '.example.com', '.example.com'],
    ['AIGW.Example.COM.', 5052, 'example.com', 'example.com'],
    ['badexample.com', 5052, 'example.com', undefined],
    ['aigw.example.com', 5052, 'other.com, example.org', undefined],
    ['aigw.example.com', 5052, 'other.com example.com', 'example.com'],
    ['aigw.example.com', 5052, 'aigw.example.com:5052', 'aigw.example.com:5052'],
    ['aigw.example.com', 443, 'aigw.example.com:5052', undefined],
    ['10.1.2.3', 5052, '10.1.2.3', '10.1.2.3'],
    ['10.1.2.3', 5052, '10.0.0.0/8', '10.0.0.0/8'],
    ['11.1.2.3', 5052, '10.0.0.0/8', undefined],
    ['[::1]', 5052, '::1', '::1'],
    ['[::1]', 5052, '[::1]:5052', '[::1]:5052'],
    ['[fd00::5]', 5052, 'fd00::/8', 'fd00::/8'],
    ['10.1.2.3', 5052, '2.3', undefined],
    ['aigw.example.com', 5052, ',, ,', undefined],
  ])('%s:%i against NO_PROXY=%j → %j', (host, port, noProxy, expected) => {
    expect(noProxyMatch(host, port, noProxy)).toBe(expected);
  });
});

describe('proxyFor', () => {
  it.each<[string, Record<string, string>, string | undefined, string | undefined]>([
    ['http://aigw:5052', {}, undefined, undefined],
    ['http://aigw:5052', { HTTP_PROXY: 'http://p:3128' }, 'http://p:3128', 'HTTP_PROXY'],
    ['http://aigw:5052', { http_proxy: 'http://lower:3128', HTTP_PROXY: 'http://upper:3128' }, 'http://lower:3128', 'http_proxy'],
    ['https://aigw', { HTTPS_PROXY: 'p:3128' }, 'http://p:3128', 'HTTPS_PROXY'],
    // No fallback from https to http_proxy (curl, Python, Ruby).
    ['https://aigw', { HTTP_PROXY: 'http://p:3128' }, undefined, undefined],
    ['https://aigw', { ALL_PROXY: 'socks5://s:1080' }, 'socks5://s:1080', 'ALL_PROXY'],
    ['https://aigw', { HTTPS_PROXY: '  ', ALL_PROXY: 'http://all:1' }, 'http://all:1', 'ALL_PROXY'],
  ])('%s with %j → %j via %j', (url, env, proxy, variable) => {
    const decision = proxyFor(url, env);
    expect(decision.proxy).toBe(proxy);
    expect(decision.variable).toBe(variable);
  });

  it('names the NO_PROXY entry that sends the URL direct', () => {
    const decision = proxyFor('http://aigw.internal:5052/', { HTTP_PROXY: 'http://p:3128', no_proxy: 'localhost,.internal', NO_PROXY: 'ignored' });
    expect(decision.proxy).toBeUndefined();
    expect(decision.bypassedBy).toBe('.internal');
    expect(decision.noProxy).toEqual({ variable: 'no_proxy', value: 'localhost,.internal' });
  });

  it('lists the variables with proxy credentials redacted', () => {
    const decision = proxyFor('http://aigw', { HTTPS_PROXY: 'http://user:s3cret@proxy:3128', NO_PROXY: 'localhost' });
    expect(decision.variables.HTTPS_PROXY).not.toContain('s3cret');
    expect(decision.variables.NO_PROXY).toBe('localhost');
    expect(decision.proxy).toBeUndefined();
  });

  it('goes direct for a non-http URL', () => {
    expect(proxyFor('ftp://aigw', { ALL_PROXY: 'http://p:1' }).proxy).toBeUndefined();
    expect(proxyFor('not a url', { ALL_PROXY: 'http://p:1' }).proxy).toBeUndefined();
  });
});
