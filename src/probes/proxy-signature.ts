// What a response's Server and Via headers say about a proxy in front of the AI gateway.

/** Server products that are reverse proxies or load balancers (lower-case prefixes of the Server header's first product). */
const PROXY_SERVERS = [
  'nginx',
  'openresty',
  'tengine',
  'caddy',
  'envoy',
  'istio-envoy',
  'haproxy',
  'traefik',
  'apache',
  'httpd',
  'squid',
  'varnish',
  'cloudflare',
  'awselb',
  'akamaighost',
  'kong',
  'lighttpd',
  'microsoft-iis',
];

/** Servers the gateway itself runs on (the real one is FastAPI under uvicorn). */
const GATEWAY_SERVERS = ['uvicorn', 'hypercorn', 'gunicorn'];

/** The verdict on one response's headers. */
export interface ProxySignature {
  /** The proxy's name as its headers give it (`nginx/1.22.1`, or the Via value), when one shows. */
  proxy?: string;
  /** The gateway's own server answered (Server: uvicorn) and no Via names anything in between. */
  direct: boolean;
  /** The headers that told (`Server: nginx/1.22.1`, `Via: 1.1 varnish`), for reports. */
  clues: string[];
}

/** Reads Server and Via (lower-case header names) for a proxy. */
export function proxySignature(headers: Readonly<Record<string, string>>): ProxySignature {
  const server = headers.server?.trim();
  const via = headers.via?.trim();
  const product = (server ?? '').split(/[\s/]/)[0]?.toLowerCase() ?? '';
  const clues = [...(server ? [`Server: ${server}`] : []), ...(via ? [`Via: ${via}`] : [])];
  const proxyServer = server && PROXY_SERVERS.some((p) => product.startsWith(p)) ? server : undefined;
  const proxy = proxyServer ?? via;
  return { ...(proxy ? { proxy } : {}), direct: !proxy && GATEWAY_SERVERS.includes(product), clues };
}
