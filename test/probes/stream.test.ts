// streamRequest without a server (stream.integration.test.ts: against loopback servers).
import { describe, expect, it } from 'vitest';
import { streamRequest } from '../../src/probes/stream.js';

describe('streamRequest', () => {
  it('rejects a non-http URL as data', async () => {
    expect(await streamRequest({ url: 'ftp://127.0.0.1/' })).toMatchObject({ ok: false, failure: { kind: 'other' } });
  });
});
