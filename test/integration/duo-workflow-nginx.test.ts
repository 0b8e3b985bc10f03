// The Duo Workflow Service behind a real nginx (Debian's), as GitLab reaches it: gRPC needs HTTP/2 end to end, so only a
// `grpc_pass` location on an `http2` listener carries it. The install guide's front (proxy_pass on `listen ... ssl`) does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-service.js';
import tokenCheck from '../../checks/agent-platform-token.js';
import { makeContext } from '../helpers/context.js';
import { startWorkflowRig, type WorkflowRig } from '../helpers/duo-workflow.js';
import { guideBlock443, startNginx, type RunningNginx } from '../helpers/nginx.js';

let rig: WorkflowRig;
const running: RunningNginx[] = [];

beforeAll(async () => {
  rig = await startWorkflowRig();
});
afterAll(async () => {
  await Promise.all(running.map((n) => n.stop()));
  await rig?.close();
});

interface Case {
  name: string;
  /** The server block; {{PLAIN}} / {{TLS}} are the services' host:port. */
  block: string;
  /** GitLab's duo_workflow.secure (and so whether nginx's listener is TLS). */
  secure: boolean;
  /** duo-doctor's finding for the layer, and whether GitLab's own call works. */
  measured: string;
  gitlabOk: boolean;
}

const TLS_FILES = 'ssl_certificate {{DIR}}/server.crt; ssl_certificate_key {{DIR}}/server.key;';
const CASES: Case[] = [
  {
    name: 'grpc_pass on an http2 listener (plain)',
    block: 'server { listen 127.0.0.1:{{PORT}} http2; location / { grpc_pass grpc://{{PLAIN}}; } }',
    secure: false,
    measured: 'listed',
    gitlabOk: true,
  },
  {
    name: 'grpc_pass grpcs:// on an ssl http2 listener',
    block: `server { listen 127.0.0.1:{{PORT}} ssl http2; ${TLS_FILES} location / { grpc_pass grpcs://{{TLS}}; } }`,
    secure: true,
    measured: 'listed',
    gitlabOk: true,
  },
  {
    name: 'proxy_pass on a plain listener (no http2)',
    block: 'server { listen 127.0.0.1:{{PORT}}; location / { proxy_pass http://{{PLAIN}}; } }',
    secure: false,
    measured: 'http2Refused',
    gitlabOk: false,
  },
  {
    name: 'proxy_pass on an http2 listener (HTTP/1.0 to the service)',
    block: 'server { listen 127.0.0.1:{{PORT}} http2; location / { proxy_pass http://{{PLAIN}}; } }',
    secure: false,
    measured: 'notGrpc',
    gitlabOk: false,
  },
  {
    name: 'grpc_pass on an ssl listener without http2',
    block: `server { listen 127.0.0.1:{{PORT}} ssl; ${TLS_FILES} location / { grpc_pass grpcs://{{TLS}}; } }`,
    secure: true,
    measured: 'http2Refused',
    gitlabOk: false,
  },
];

async function measure(block: string, gitlabSecure: boolean): Promise<{ facts: Facts; nginx: RunningNginx }> {
  const nginx = await startNginx({
    serverBlocks: block.replaceAll('{{PLAIN}}', rig.plain.address).replaceAll('{{TLS}}', rig.secure.address),
    files: { 'server.crt': rig.chain.chainPem, 'server.key': rig.chain.leaf.keyPem },
  });
  running.push(nginx);
  rig.gitlab.setDuoAgentPlatform(`127.0.0.1:${nginx.port}`, gitlabSecure);
  const facts = (await check.gather(makeContext({ gitlabUrl: rig.gitlab.url, gitlabToken: rig.gitlab.adminToken, caFile: rig.caFile }))) as Facts;
  return { facts, nginx };
}

describe('agent-platform-service behind a real nginx', () => {
  it.each(CASES)('$name → $measured', async ({ block, secure: gitlabSecure, measured, gitlabOk }) => {
    const { facts, nginx } = await measure(block, gitlabSecure);
    const ids = judge(facts).findings.map((f) => f.id);
    expect(ids.at(-1), `${JSON.stringify(facts)}\n${await nginx.errorLog()}`).toBe(measured);
    expect(ids[0]).toBe(gitlabOk ? 'gitlabOperational' : 'gitlabNotOperational');
  });

  it("measures the install guide's 443 front in front of the service: it does not carry gRPC", async () => {
    const block = guideBlock443({
      port: '{{PORT}}',
      upstream: `https://${rig.secure.address}`,
      certificate: '{{DIR}}/server.crt',
      key: '{{DIR}}/server.key',
    });
    const { facts } = await measure(block, true);
    const out = judge(facts);
    expect(out.findings.map((f) => f.id)).toEqual(['gitlabNotOperational', 'http2Refused']);
    expect(check.messages.http2Refused.fix).toMatch(/grpc_pass grpcs:\/\/<service>:50052;/);
  });

  it('GitLab gets its workflow token through a grpc_pass front, and not through a proxy_pass one', async () => {
    const CASE_OK = CASES[0] as Case;
    const CASE_BAD = CASES[2] as Case;
    await measure(CASE_OK.block, false);
    const ok = await tokenCheck.run(makeContext({ gitlabUrl: rig.gitlab.url, gitlabToken: rig.gitlab.adminToken }));
    expect(ok.findings?.map((f) => f.id)).toEqual(['issued']);
    await measure(CASE_BAD.block, false);
    const bad = await tokenCheck.run(makeContext({ gitlabUrl: rig.gitlab.url, gitlabToken: rig.gitlab.adminToken }));
    expect(bad.status).toBe('fail');
    expect(bad.summary).toMatch(/does not carry HTTP\/2/);
  });
});
