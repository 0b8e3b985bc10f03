// runtime-host: the runtime probes can run where the gateway runs (this host, or its container through --exec).
import os from 'node:os';
import { defineCheck } from '../src/check.js';
import { runtimeHost } from '../src/runtime/host.js';
import { errorMessage } from '../src/error-message.js';

export default defineCheck({
  id: 'runtime-host',
  title: 'Runtime probes can run where the gateway runs',
  category: 'runtime',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'Without --exec, the runtime checks probe this host. With --exec PREFIX, runs `PREFIX sh -c ...` once to prove the prefix reaches a ' +
      'POSIX shell (docker exec, kubectl exec, oc exec, ...), so a broken prefix is one clear error instead of one per runtime check.',
    failsWhen: 'The prefix cannot run: the container does not exist, kubectl/oc is not configured or not installed, or the image has no sh.',
    fix: 'Run the prefix by hand (e.g. `docker exec gitlab-aigw sh -c "echo ok"`) and fix what it says: the container name (docker ps), the kubectl context and namespace, or the pod name.',
  },
  async run(ctx) {
    try {
      const host = await runtimeHost(ctx);
      const where = ctx.settings.exec ? host.label : `on this host (${os.hostname()})`;
      return { status: 'pass', summary: `runtime probes run ${where}`, evidence: { where: host.label } };
    } catch (error) {
      return {
        status: 'error',
        summary: errorMessage(error),
        remediation: 'Check the --exec prefix by hand, e.g. `docker exec gitlab-aigw sh -c "echo ok"` or `kubectl exec -n ai-gateway deploy/ai-gateway -- sh -c "echo ok"`, and fix the container, context or namespace it names.',
      };
    }
  },
});
