// hf-home-writable: the gateway can write its HuggingFace cache (HF_HOME, default /home/aigateway/.hf).
import { defineCheck } from '../src/check.js';
import { hfHomeDir, runtimeHost, writeAttempt } from '../src/runtime/host.js';
import { judgeWritable } from '../src/runtime/writable.js';

const FIX = [
  'Set HF_HOME to a directory the gateway can write, e.g. /var/tmp/huggingface. In the Helm values.yaml:',
  '  extraEnvironmentVariables:',
  '    - name: HF_HOME',
  '      value: /var/tmp/huggingface  # Use any writable directory',
  'or on the Helm command line:',
  '  --set "extraEnvironmentVariables[0].name=HF_HOME" \\',
  '  --set "extraEnvironmentVariables[0].value=/var/tmp/huggingface"',
  'With Docker: docker run -e HF_HOME=/var/tmp/huggingface ...',
].join('\n');

export default defineCheck({
  id: 'hf-home-writable',
  title: 'The gateway can write its HuggingFace cache (HF_HOME)',
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'Proves HF_HOME writable with a real create/write/fsync/read/delete, where the gateway runs. HF_HOME is --hf-home, else the ' +
      "gateway's HF_HOME variable, else the image default /home/aigateway/.hf. A missing directory is created (as the gateway would) and removed.",
    failsWhen:
      "The gateway cannot write there — typically OpenShift's restricted security context, which logs " +
      "\"[Errno 13] Permission denied: '/home/aigateway/.hf/...'\" — or the file system is read-only or full.",
    fix: FIX,
  },
  async run(ctx) {
    const [host, { dir, source }] = await Promise.all([runtimeHost(ctx), hfHomeDir(ctx)]);
    const outcome = judgeWritable(await writeAttempt(ctx, dir), {
      label: `HF_HOME ${dir}`,
      purpose: 'the gateway caches HuggingFace models there and logs "[Errno 13] Permission denied" otherwise',
      fix: FIX,
      where: host.label,
    });
    return { ...outcome, details: [`HF_HOME from ${source}.`, ...(outcome.details ?? [])] };
  },
});
