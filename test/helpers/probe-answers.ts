// Probe answers for the security checks' judge tables: from the gateway, from a proxy in front, or none at all.
import type { ProbeAnswer } from '../../src/probes/security.js';

/** An answer carrying the gateway's own headers. */
export const fromGateway = (status: number): ProbeAnswer => ({ status, fromGateway: true, connected: true });
/** An answer a proxy produced itself (no gateway headers). */
export const fromProxy = (status: number): ProbeAnswer => ({ status, fromGateway: false, connected: true, server: 'nginx' });
/** Connected, then nothing came back. */
export const noAnswer: ProbeAnswer = { fromGateway: false, connected: true, failure: 'connection closed without an answer' };
/** Nothing listens. */
export const refusedConnection: ProbeAnswer = { fromGateway: false, connected: false, failure: 'connect ECONNREFUSED 127.0.0.1:5052' };
