// tmp-writable: the gateway can create, write, fsync, read and delete files in /tmp (or --tmp-dir).
import { defineCheck } from '../src/check.js';
import { runtimeHost, writeAttempt } from '../src/runtime/host.js';
import { judgeWritable } from '../src/runtime/writable.js';

const FIX = [
  'Give the gateway a writable /tmp. On OpenShift (read-only /tmp), mount an emptyDir volume at /tmp:',
  '  oc set volume <object_type>/<name> --add --name=tmpVol --type=emptyDir --mountPoint=/tmp',
  'or in the Helm values.yaml:',
  '  volumes:',
  '  - name: tmp-volume',
  '    emptyDir: {}',
  '  volumeMounts:',
  '  - name: tmp-volume',
  '    mountPath: "/tmp"',
  'Elsewhere: remount /tmp read-write, free space on it, or fix its ownership/mode (1777).',
].join('\n');

export default defineCheck({
  id: 'tmp-writable',
  title: 'The gateway can write to /tmp',
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'Creates a uniquely named file in /tmp (or --tmp-dir), writes 4 KiB, fsyncs, reads it back and deletes it — where the gateway runs ' +
      '(this host, or inside its container with --exec). access() alone is not trusted: root passes it on read-only mounts.',
    failsWhen:
      'The directory is on a read-only file system (EROFS, common on OpenShift), is not writable by the user (EACCES/EPERM), ' +
      'is full (ENOSPC) or over quota (EDQUOT), or does not exist. The AI gateway needs to write to /tmp.',
    fix: FIX,
  },
  async run(ctx) {
    const host = await runtimeHost(ctx);
    const dir = ctx.settings.tmpDir;
    return judgeWritable(await writeAttempt(ctx, dir), {
      label: dir,
      purpose: 'the AI gateway needs to write temporary files there',
      fix: FIX,
      where: host.label,
    });
  },
});
