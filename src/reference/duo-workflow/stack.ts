// The stack's Duo Workflow Service: started beside the gateway (the self-hosted image runs both), configured in GitLab,
// optionally behind an HTTP/1.1-only proxy — per a scenario's DuoWorkflowSetup.
import { pooledRsaKey } from '../../pki/keys.js';
import { startHttp1Front } from '../http1-front.js';
import { closedPort, type TlsOptions } from '../http.js';
import type { RunningGitLab } from '../gitlab/server.js';
import type { DuoWorkflowSetup } from '../scenarios.js';
import { startDuoWorkflowService } from './server.js';

/** What the stack hands over: the address GitLab is configured with, and how to stop what was started. */
export interface StartedWorkflow {
  /** GitLab's setting (host:port), undefined when blank. */
  setting?: string;
  closers: (() => Promise<void>)[];
}

/** Starts the service (and its front) for `setup`, and configures GitLab's setting and `secure` to match. */
export async function startWorkflowSide(
  setup: DuoWorkflowSetup,
  opts: {
    gitlab: RunningGitLab;
    /** The gateway's environment: the service reads the same AIGW_GITLAB_URL and CA bundle variables. */
    gatewayEnv: Record<string, string>;
    /** The certificate it serves when it serves TLS (the gateway's); without one it serves plain gRPC. */
    tls?: TlsOptions;
    /** The CA bundle PEM GitLab and the front trust. */
    caPem?: string;
    log: (line: string) => void;
  },
): Promise<StartedWorkflow> {
  const tls = (setup.tls ?? !!opts.tls) ? opts.tls : undefined;
  const secure = setup.gitlabSecure ?? !!tls;
  const closers: (() => Promise<void>)[] = [];
  let address: string;
  if (setup.running === false) {
    address = `127.0.0.1:${await closedPort()}`;
  } else {
    // The two keys of the install guide (signing and validation): LocalAuthProvider needs both to verify the tokens it signs.
    const env: Record<string, string> = {
      ...opts.gatewayEnv,
      DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(2048).privatePem,
      DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(2048).privatePem,
    };
    for (const [k, v] of Object.entries(setup.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const service = await startDuoWorkflowService({ env, ...(tls ? { tls } : {}), log: opts.log });
    closers.push(service.close);
    address = service.address;
    if (setup.http1Front) {
      const front = await startHttp1Front({
        upstream: `${tls ? 'https' : 'http'}://${service.address}`,
        ...(opts.caPem ? { ca: opts.caPem } : {}),
        ...(tls ? { tls } : {}),
      });
      closers.push(front.close);
      address = front.address;
    }
  }
  const setting = setup.setting === 'unset' ? undefined : address;
  opts.gitlab.setDuoAgentPlatform(setting, secure);
  return { ...(setting ? { setting } : {}), closers };
}
