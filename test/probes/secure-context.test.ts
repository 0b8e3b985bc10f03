// One secure context per CA list: shared by identity and by content, and trusting exactly the list it was built from.
import { rootCertificates, connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { secureContextFor } from '../../src/probes/secure-context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const chain = buildChain({ host: '127.0.0.1' });
const other = buildChain({ host: '127.0.0.1' });
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopback((_req, res) => res.end('ok'), { cert: chain.chainPem, key: chain.leaf.keyPem });
});
afterAll(async () => {
  await server.close();
});

/** The handshake's verdict with `ca` as the trust list: authorized, or OpenSSL's error code. */
function verdict(ca: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, secureContext: secureContextFor(ca) }, () => {
      resolve('authorized');
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('secureContextFor', () => {
  it('builds one context per list, found again by identity and by content', () => {
    const list = [...rootCertificates, chain.root.certPem];
    expect(secureContextFor(list)).toBe(secureContextFor(list));
    expect(secureContextFor([...list])).toBe(secureContextFor(list));
    expect(secureContextFor([chain.root.certPem])).not.toBe(secureContextFor(list));
  });

  it.each([
    ['the system roots plus the private CA', [...rootCertificates, chain.root.certPem], 'authorized'],
    ['the private CA alone', [chain.root.certPem], 'authorized'],
    ['the system roots alone', [...rootCertificates], 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['the system roots plus another CA', [...rootCertificates, other.root.certPem], 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['another CA alone', [other.root.certPem], 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['nothing', [], 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ])('trusting %s: %s', async (_name, ca, expected) => {
    expect(await verdict(ca)).toBe(expected);
  });
});
