// GitLab's ActionCable endpoint, /-/cable, which Duo Chat (and other real-time features) open from the browser.
// Workhorse routes it with wsRouteStrict (workhorse/internal/upstream/routes.go: `^/-/cable\z`, requireWebsocket → 400
// "websocket upgrade required" through httpError, upstream.go), then Rails answers it (config/initializers/action_cable.rb:
// mount_path '/-/cable'; production keeps ActionCable's default allow_same_origin_as_host and no allowed_request_origins
// unless gitlab.yml's action_cable_allowed_origins lists some). ActionCable (actioncable 7.2.3 in Gemfile.lock,
// lib/action_cable/connection/base.rb): a WebSocket whose Origin is not `<scheme>://<Host>` gets 404 "Page not found";
// otherwise 101 with the first offered subprotocol it speaks (INTERNAL[:protocols]: actioncable-v1-json,
// actioncable-unsupported), then a welcome message. app/channels/application_cable/connection.rb lets an anonymous
// connection in (current_user nil), so the reference needs no token. Sources: gitlab-ee 6714c9136; ActionCable via the
// code index (see FIDELITY.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { acceptUpgrade, handshakeProblem, refuseUpgrade } from '../websocket.js';
import type { GitLabState } from './config.js';

/** The path Rails mounts ActionCable at. */
export const CABLE_PATH = '/-/cable';

/** ActionCable::INTERNAL[:protocols]. */
const CABLE_PROTOCOLS = ['actioncable-v1-json', 'actioncable-unsupported'];

/** An unmasked server text frame (RFC 6455 section 5.2) for a short payload. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

/** Workhorse's requireWebsocket: a plain GET of /-/cable (its Upgrade dropped on the way) is refused before Rails. */
export function refuseCablePlainRequest(res: ServerResponse): void {
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', connection: 'close' });
  res.end('websocket upgrade required\n');
}

/** An upgrade of /-/cable: Workhorse's handshake check, then ActionCable's origin check, subprotocol and welcome. */
export function handleCableUpgrade(state: GitLabState, req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  if (handshakeProblem(req))
    return refuseUpgrade(socket, 400, 'Bad Request', { type: 'text/plain; charset=utf-8', text: 'websocket upgrade required\n' });
  // allow_request_origin?: Origin must equal "#{proto}://#{HTTP_HOST}" (proto from Rack's ssl?, the scheme GitLab serves).
  const proto = new URL(state.url).protocol.replace(/:$/, '');
  if (req.headers.origin !== `${proto}://${req.headers.host ?? ''}`) {
    return refuseUpgrade(socket, 404, 'Not Found', { type: 'text/plain', text: 'Page not found' });
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const protocol = offered.find((p) => CABLE_PROTOCOLS.includes(p));
  acceptUpgrade(req, socket, protocol ? { 'Sec-WebSocket-Protocol': protocol } : {});
  socket.write(textFrame(JSON.stringify({ type: 'welcome' })));
}
