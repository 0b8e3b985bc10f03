// The Duo Agent Platform's shared judging: address shapes, the rake task's version boundary, gRPC error causes.
import { describe, expect, it } from 'vitest';
import {
  addressShape,
  CAUSE_FIX,
  grpcCause,
  hasServiceUrlSetting,
  majorMinor,
  rakeHasWorkflowSteps,
  type GrpcCause,
} from '../../src/judge/agent-platform.js';

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

describe('at the edges', () => {
  it.each([
    ['dws:65535', { kind: 'host-port', host: 'dws', port: 65535 }],
    ['dws:65536', { kind: 'malformed' }],
    ['dws:0', { kind: 'malformed' }],
    ['dws:123456', { kind: 'malformed' }],
    ['dws:', { kind: 'malformed' }],
    ['10.0.0.5:443', { kind: 'host-port', host: '10.0.0.5', port: 443 }],
    ['[2001:db8::5]', { kind: 'no-port', host: '[2001:db8::5]' }],
    ['[fe80::1]:50052', { kind: 'host-port', host: 'fe80::1', port: 50052 }],
    ['[zz]:1', { kind: 'malformed' }],
    ['dws.example.com:50052/', { kind: 'malformed' }],
    ['grpc+tls://dws:50052', { kind: 'scheme', scheme: 'grpc+tls', hostPort: 'dws:50052' }],
    ['1http://dws', { kind: 'malformed' }],
    [' dws:1', { kind: 'malformed' }],
    ['dws:1 ', { kind: 'malformed' }],
  ])('addressShape %j', (value, shape) => {
    expect(addressShape(value)).toEqual(shape);
  });

  it.each([
    ['v18.10.0', [18, 10]],
    ['18.4', [18, 4]],
    ['release 18.4', undefined],
    ['18', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('majorMinor %j', (version, want) => {
    expect(majorMinor(version)).toEqual(want);
  });

  it.each([
    ['17.99.0', false, false],
    ['18.9.0', false, true],
    ['v18.10.1', true, true],
    ['20.0.0', true, true],
    ['not a version', true, true],
  ])('%s: rake steps %s, setting %s', (version, steps, setting) => {
    expect(rakeHasWorkflowSteps(version)).toBe(steps);
    expect(hasServiceUrlSetting(version)).toBe(setting);
  });

  it.each([
    ['14:ssl: wrong version number', 'tls-to-plaintext'],
    ['13:packet length too long', 'tls-to-plaintext'],
    ['2:Unable to build a key from key: None', 'signing-key'],
    ['2:JWKError', 'signing-key'],
    ['2:no signing key configured', 'signing-key'],
    ['14:connect failed', 'no-listener'],
    ['14:connection failed', 'no-listener'],
    ['13:connect ECONNREFUSED 127.0.0.1:50052', 'other'],
    ['14:answered with HTTP/1.0', 'http2'],
    ['14:answered with HTTP/1.1', 'http2'],
    ['14:unexpected content-type "text/html"', 'http2'],
    ['14:NO_APPLICATION_PROTOCOL', 'http2'],
    ['14:Trying to connect an http1.x server', 'http2'],
    ['13:Call ended without gRPC status', 'http2'],
    ['13:Received RST_STREAM with code 12', 'other'],
    ['4:', 'timeout'],
    ['7:', 'permission'],
    ['16:', 'unauthenticated'],
    ['14:', 'unavailable'],
    ['1:Cancelled', 'other'],
    ['no code at all', 'other'],
  ])('grpcCause %s → %s', (text, cause) => {
    expect(grpcCause(text)).toBe(cause);
  });

  it('a code given apart wins over the one in the text', () => {
    expect(grpcCause('14:Connection refused', 13)).toBe('other');
    expect(grpcCause('13:x', 14)).toBe('unavailable');
  });

  it.each([
    ['tls-to-plaintext', ['DUO_AGENT_PLATFORM_SERVICE_SECURE, default true', "gitlab_rails['env']", 'DUO_WORKFLOW_TLS__ENABLED=true']],
    ['no-listener', ['ENABLE_DUO_WORKFLOW_SERVICE=true', 'docker run -p 50052:50052']],
    ['http2', ['listen <port> ssl http2;', 'grpc_pass grpcs://<service>:50052']],
    ['unavailable', ['duo_agent_platform_service_url']],
    ['unauthenticated', ['DUO_WORKFLOW_AUTH__OIDC_GITLAB_URL', 'restart the container (it caches the keys)']],
    ['permission', ['duo_agent_platform unit primitive']],
    ['signing-key', ['DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY is not set', 'DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY']],
    ['timeout', ['did not answer in time']],
    ['other', ["Read the service's log"]],
  ] as [GrpcCause, string[]][])('the fix for %s says what to do', (cause, phrases) => {
    for (const p of phrases) expect(CAUSE_FIX[cause]).toContain(p);
  });
});
