// isLoopbackHost: the one rule for "this host name means this machine".
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/net/loopback.js';

describe('isLoopbackHost', () => {
  it.each<[string, boolean]>([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['aigw.localhost', true],
    ['localhost.localdomain', true],
    ['ip6-localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['127.255.255.255', true],
    ['0.0.0.0', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::', true],
    ['[::ffff:7f00:1]', true],
    ['::ffff:127.0.0.1', true],
    ['126.255.255.255', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['[fe80::1]', false],
    ['::ffff:10.0.0.1', false],
    ['aigw.example.com', false],
    ['', false],
  ])('%s → %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});
