// A reference GitLab and two reference Duo Workflow Services (plain and TLS, one private CA GitLab trusts), for the
// Agent Platform tests; `caFile` holds the CA for duo-doctor's --ca-file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildChain } from '../../src/pki/generate.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { startDuoWorkflowService, type RunningDuoWorkflow } from '../../src/reference/duo-workflow/server.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';

export interface WorkflowRig {
  chain: ReturnType<typeof buildChain>;
  caFile: string;
  gitlab: RunningGitLab;
  plain: RunningDuoWorkflow;
  secure: RunningDuoWorkflow;
  close(): Promise<void>;
}

export async function startWorkflowRig(): Promise<WorkflowRig> {
  const chain = buildChain({ host: '127.0.0.1' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-dws-'));
  const caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, chain.root.certPem);
  const gitlab = await startGitLab({ ca: chain.root.certPem, log: () => undefined });
  const env = {
    AIGW_GITLAB_URL: gitlab.url,
    DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(2048).privatePem,
    DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(2048).privatePem,
  };
  const [plain, secure] = await Promise.all([
    startDuoWorkflowService({ env, log: () => undefined }),
    startDuoWorkflowService({ env, tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem }, log: () => undefined }),
  ]);
  return {
    chain,
    caFile,
    gitlab,
    plain,
    secure,
    close: async () => {
      await Promise.all([plain.close(), secure.close()]);
      await gitlab.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
