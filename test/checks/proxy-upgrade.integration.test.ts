// proxy-upgrade against the reference GitLab: directly (101), with an unknown token (401), and through an HTTP/1.1 load
// balancer that drops the upgrade headers (Workhorse's 400) — for the agent's socket and Duo Chat's /-/cable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/proxy-upgrade.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { startHttp1Front, type RunningFront } from '../../src/reference/http1-front.js';
import { websocketHandshake } from '../../src/probes/websocket.js';
import { makeContext } from '../helpers/context.js';

describe('proxy-upgrade against the reference GitLab', () => {
  let gitlab: RunningGitLab;
  let front: RunningFront;
  beforeAll(async () => {
    gitlab = await startGitLab({ log: () => undefined });
    front = await startHttp1Front({ upstream: gitlab.url });
  });
  afterAll(async () => {
    await front?.close();
    await gitlab?.close();
  });

  it('upgrades (101) straight to GitLab, never printing the token', async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }));
    expect(out.findings?.map((f) => f.id)).toEqual(['upgraded', 'cableUpgraded']);
    expect(out.summary).toMatch(/101/);
    expect(JSON.stringify(out)).not.toContain(gitlab.adminToken);
  });

  it('is rejected (401) with a token GitLab does not know', async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-not-the-admin' }));
    // ActionCable takes an anonymous connection: only the agent's socket needs the token.
    expect(out.findings?.map((f) => f.id)).toEqual(['rejected', 'cableUpgraded']);
  });

  it("is not upgraded (Workhorse's 400) through a load balancer that drops Upgrade and Connection", async () => {
    const out = await check.run(makeContext({ gitlabUrl: front.url, gitlabToken: gitlab.adminToken }));
    expect(out.status).toBe('fail');
    expect(out.findings?.map((f) => f.id)).toEqual(['notUpgraded', 'cableNotUpgraded']);
    expect(out.evidence).toMatchObject({ httpStatus: 400 });
    expect(out.details).toContain('/-/cable: HTTP 400 Bad Request');
  });

  it.each([
    ['another origin', 'https://elsewhere.example.com', undefined, 404, 'Page not found'],
    ["GitLab's own origin, no subprotocol offered", undefined, undefined, 101, ''],
    ["GitLab's own origin, ActionCable's subprotocols", undefined, 'actioncable-v1-json, actioncable-unsupported', 101, ''],
  ])('answers /-/cable as Workhorse and ActionCable do: %s', async (_name, origin, protocols, status, body) => {
    const exchange = await websocketHandshake({
      url: `${gitlab.url}/-/cable`,
      headers: { Origin: origin ?? new URL(gitlab.url).origin, ...(protocols ? { 'Sec-WebSocket-Protocol': protocols } : {}) },
    });
    expect(exchange.ok && exchange.answer).toMatchObject({ status, body });
    if (exchange.ok && status === 101) {
      expect(exchange.answer.acceptValid).toBe(true);
      expect(exchange.answer.headers['sec-websocket-protocol']).toBe(protocols ? 'actioncable-v1-json' : undefined);
    }
  });
});
