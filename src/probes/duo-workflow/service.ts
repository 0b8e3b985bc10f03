// The Duo Workflow Service measured from here, layer by layer, as GitLab would reach it: TCP, then TLS when GitLab uses it
// (or, when it does not, whether the port answers cleartext HTTP/2 or expects TLS), then a ListTools call with the
// workflow token and headers GitLab hands out. Facts only; the checks judge them.
import type { CheckContext } from '../../check.js';
import { clientTrust } from '../trust.js';
import { listTools, type ListToolsOutcome } from './call.js';
import type { WorkflowAccessGrant } from './gitlab.js';
import { http2Preface, parseAddress, tcpConnect, tlsHandshake, type PrefaceAnswer, type TcpFacts, type TlsFacts } from './transport.js';

/** Every measurement of the service, JSON-serialisable. */
export interface ServiceMeasurement {
  address: string;
  /** The TLS decision the measurement followed: GitLab's (direct_access reports it), else what the service serves. */
  secure: boolean;
  secureSource: 'gitlab' | 'service';
  tcp: TcpFacts;
  /** With TLS: the handshake. Without: a TLS handshake attempted only to tell a TLS-only port from a dead one. */
  tls?: TlsFacts;
  /** Without TLS: what the port answered to the cleartext HTTP/2 preface. */
  preface?: PrefaceAnswer;
  /** The call, with or without GitLab's workflow token. */
  call?: ListToolsOutcome;
  withToken: boolean;
}

/** client.rb's metadata: the authentication type, the identity headers, and the bearer token. */
function callMetadata(grant: WorkflowAccessGrant): Record<string, string> {
  return {
    ...(grant.headers ?? {}),
    'x-gitlab-authentication-type': 'oidc',
    'x-gitlab-client-type': 'duo-doctor',
    ...(grant.token ? { authorization: `Bearer ${grant.token}` } : {}),
  };
}

/**
 * Measures the service at `address` (host:port) with GitLab's TLS decision, or — when GitLab did not report it — with
 * what the port serves (a TLS handshake answered with plain bytes means plain gRPC). Memoised per address and decision.
 */
export function measureService(
  ctx: CheckContext,
  address: string,
  gitlabSecure: boolean | undefined,
  grant: WorkflowAccessGrant,
): Promise<ServiceMeasurement> {
  return ctx.memo(`duo-workflow service ${address} ${gitlabSecure ?? 'as served'}`, async () => {
    const at = parseAddress(address);
    const timeoutMs = ctx.settings.timeoutMs;
    const base = { address, withToken: !!grant.token };
    if (!at)
      return {
        ...base,
        secure: gitlabSecure ?? true,
        secureSource: gitlabSecure === undefined ? 'service' : 'gitlab',
        tcp: { ok: false, ms: 0, code: 'EINVAL', message: `not host:port: ${address}` },
      };
    const tcp = await tcpConnect(at, timeoutMs);
    const { ca } = await clientTrust(ctx);
    const handshake = tcp.ok && gitlabSecure !== false ? await tlsHandshake(at, ca, timeoutMs) : undefined;
    const secure = gitlabSecure ?? !(handshake && !handshake.ok && handshake.plaintextPeer);
    const decided = { ...base, secure, secureSource: gitlabSecure === undefined ? ('service' as const) : ('gitlab' as const) };
    if (!tcp.ok) return { ...decided, tcp };
    if (secure && handshake) {
      if (!handshake.ok || handshake.alpn !== 'h2') return { ...decided, tcp, tls: handshake };
      const call = await listTools({ address, secure: true, ca, metadata: callMetadata(grant), timeoutMs });
      return { ...decided, tcp, tls: handshake, call };
    }
    const preface = await http2Preface(at, timeoutMs);
    if (preface.kind !== 'http2') {
      const tlsProbe = handshake ?? (await tlsHandshake(at, ca, timeoutMs));
      return { ...decided, tcp, preface, tls: tlsProbe };
    }
    const call = await listTools({ address, secure: false, metadata: callMetadata(grant), timeoutMs });
    return { ...decided, tcp, preface, call };
  });
}
