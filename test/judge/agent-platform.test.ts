// The Duo Agent Platform's shared judging: address shapes, the rake task's version boundary, gRPC error causes.
import { describe, expect, it } from 'vitest';
import { addressShape, grpcCause, hasServiceUrlSetting, rakeHasWorkflowSteps } from '../../src/judge/agent-platform.js';

describe('addressShape', () => {
  it.each([
    ['dws:50052', { kind: 'host-port', host: 'dws', port: 50052 }],
    ['[::1]:1', { kind: 'host-port', host: '::1', port: 1 }],
    ['http://dws:50052', { kind: 'scheme', scheme: 'http', hostPort: 'dws:50052' }],
    ['HTTPS://dws:50052//', { kind: 'scheme', scheme: 'https', hostPort: 'dws:50052' }],
    ['dws', { kind: 'no-port', host: 'dws' }],
    ['', { kind: 'malformed' }],
    ['dws:port', { kind: 'malformed' }],
    ['a b:1', { kind: 'malformed' }],
  ])('%j', (value, shape) => {
    expect(addressShape(value)).toEqual(shape);
  });
});

describe('version boundaries', () => {
  it.each([
    ['18.9.9-ee', false, true],
    ['18.10.0-ee', true, true],
    ['19.0.0', true, true],
    ['18.3.0-ee', false, false],
    ['18.4.0-ee', false, true],
    [undefined, true, true],
  ])('%s: rake steps %s, setting %s', (version, steps, setting) => {
    expect(rakeHasWorkflowSteps(version)).toBe(steps);
    expect(hasServiceUrlSetting(version)).toBe(setting);
  });
});

describe('grpcCause', () => {
  it.each([
    [
      '14:failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.5:50052: Ssl handshake failed: SSL_ERROR_SSL: error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER',
      'tls-to-plaintext',
    ],
    ['14:No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50052', 'no-listener'],
    ['14:failed to connect to all addresses; last error: UNAVAILABLE: ipv4:10.0.0.5:50052: Connection refused', 'no-listener'],
    ['14:No connection established. Last error: Protocol error', 'http2'],
    ['14:Received HTTP status code 502', 'http2'],
    ['13:Received RST_STREAM with code 0 (Call ended without gRPC status)', 'http2'],
    ['13:Received RST_STREAM with code 1', 'http2'],
    ['13:Received RST_STREAM with code 10', 'other'],
    ['16:Forbidden by auth provider', 'unauthenticated'],
    ["16:Header mismatch 'X-Gitlab-Instance-Id'", 'unauthenticated'],
    ['7:Unauthorized to generate token', 'permission'],
    ["2:Unexpected <class 'jose.exceptions.JWSError'>: Unable to parse an RSA_JWK from key: None", 'signing-key'],
    ['4:Deadline Exceeded', 'timeout'],
    ['14:DNS resolution failed for dws:50052', 'unavailable'],
    ['13:internal', 'other'],
    ['', 'other'],
  ])('%s → %s', (text, cause) => {
    expect(grpcCause(text)).toBe(cause);
  });

  it('takes the code apart from the text (grpc-js details)', () => {
    expect(grpcCause('Forbidden by auth provider', 16)).toBe('unauthenticated');
    expect(grpcCause('Deadline exceeded', 4)).toBe('timeout');
  });
});
