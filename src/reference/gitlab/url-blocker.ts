// GitLab's outbound URL blocker as its HTTP client applies it (gitlab-org/gitlab gems/gitlab-http/lib/gitlab/http_v2/
// url_blocker.rb and new_connection_adapter.rb at 6714c9136): without "Allow requests to the local network from web hooks
// and services" (allow_local_requests_from_web_hooks_and_services, off by default), a request to this host, a loopback,
// private, link-local or shared address is refused — unless the host or address is on the outbound allowlist
// (outbound_local_requests_whitelist, Admin > Settings > Network > Outbound requests).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** GitLab's outbound request settings. */
export interface OutboundPolicy {
  /** allow_local_requests_from_web_hooks_and_services. */
  allowLocalRequests: boolean;
  /** outbound_local_requests_whitelist: IPs, CIDR ranges or domains (`*.` wildcards), each optionally with `:port`. */
  allowlist: readonly string[];
}

interface Entry {
  host: string;
  port?: number;
}

/** `host[:port]`, `[v6]:port`, `a.b.c.d/nn` — the allowlist entry forms GitLab accepts. */
function parseEntry(raw: string): Entry {
  const text = raw.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1] as string, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  if (isIP(text.split('/')[0] ?? '') === 6) return { host: text };
  const m = /^([^:]+)(?::(\d+))?$/.exec(text);
  return m ? { host: m[1] as string, ...(m[2] ? { port: Number(m[2]) } : {}) } : { host: text };
}

const portMatches = (entry: Entry, port: number) => entry.port === undefined || entry.port === port;

function domainAllowed(hostname: string, port: number, entries: readonly Entry[]): boolean {
  return entries.some((e) => {
    if (isIP(e.host.split('/')[0] ?? '') || !portMatches(e, port)) return false;
    return e.host.startsWith('*.') ? hostname.endsWith(e.host.slice(1)) : hostname === e.host;
  });
}

function ipAllowed(ip: string, port: number, entries: readonly Entry[]): boolean {
  return entries.some((e) => {
    const [base, bits] = e.host.split('/');
    const family = isIP(base ?? '');
    if (!family || !portMatches(e, port)) return false;
    const list = new BlockList();
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits) list.addSubnet(base as string, Number(bits), type);
    else list.addAddress(base as string, type);
    return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  });
}

function subnetList(ranges: readonly [string, number][]): BlockList {
  const list = new BlockList();
  for (const [net, bits] of ranges) list.addSubnet(net, bits, isIP(net) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

const inList = (list: BlockList, ip: string) => list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');

const LOOPBACK = subnetList([
  ['127.0.0.0', 8],
  ['::1', 128],
]);
// Ruby's ipv4_private?, ipv6_sitelocal? and ipv6_unique_local?.
const LOCAL_NETWORK = subnetList([
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['fec0::', 10],
  ['fc00::', 7],
]);
const LINK_LOCAL = subnetList([
  ['169.254.0.0', 16],
  ['fe80::', 10],
]);
const SHARED = subnetList([['100.64.0.0', 10]]);

/** This host's own addresses, as Ruby's Socket.ip_address_list gives them, plus the unspecified ones. */
function ownAddresses(): Set<string> {
  const own = new Set(['::', '0.0.0.0']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.add(a.address);
  return own;
}

/** The blocker's verdict on addresses a host resolved to (validate_local_request), undefined when allowed. */
function localRequestProblem(addresses: readonly string[]): string | undefined {
  const own = ownAddresses();
  if (addresses.some((a) => own.has(a))) return 'Requests to localhost are not allowed';
  if (addresses.some((a) => inList(LOOPBACK, a))) return 'Requests to loopback addresses are not allowed';
  if (addresses.some((a) => inList(LOCAL_NETWORK, a))) return 'Requests to the local network are not allowed';
  if (addresses.some((a) => inList(LINK_LOCAL, a))) return 'Requests to the link local network are not allowed';
  if (addresses.some((a) => inList(SHARED, a))) return 'Requests to the shared address space are not allowed';
  if (addresses.includes('255.255.255.255')) return 'Requests to the limited broadcast address are not allowed';
  return undefined;
}

/**
 * Why GitLab's HTTP client refuses `url` ("URL is blocked: …", as NewConnectionAdapter raises it), or undefined when
 * it may connect. Only the addresses the host resolves to matter, so only a name lookup happens here.
 */
export async function blockedReason(url: URL, policy: OutboundPolicy): Promise<string | undefined> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const entries = policy.allowlist.map(parseEntry);
  if (domainAllowed(hostname, port, entries)) return undefined;
  let addresses: string[];
  try {
    addresses = (await lookup(hostname, { all: true })).map((a) => a.address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1'));
  } catch {
    return 'URL is blocked: Host cannot be resolved or invalid';
  }
  const first = addresses[0];
  if (first && ipAllowed(first, port, entries)) return undefined;
  if (policy.allowLocalRequests) return undefined;
  const problem = localRequestProblem(addresses);
  return problem ? `URL is blocked: ${problem}` : undefined;
}
