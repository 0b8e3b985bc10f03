// tmp-writable: the gateway can create, write, fsync, read and delete files in /tmp (or --tmp-dir), where it runs.
import { defineCheck, type Judgement } from '../src/check.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import { writableFindings, writableMessages } from '../src/judge/writable.js';
import type { GatewayPlace, NotTheGateway, WriteAttempt } from '../src/runtime/facts.js';
import { runtimePlace, writeAttempt } from '../src/runtime/host.js';

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

export const messages = {
  ...writableMessages('the AI gateway needs to write temporary files there', FIX),
  notTheGateway,
};

/** Where the probe ran and what it found; on a host that is not the gateway's, nothing is probed. */
export type Facts = { dir: string } & ({ place: NotTheGateway } | { place: GatewayPlace; attempt: WriteAttempt });

export function judge(facts: Facts): Judgement<typeof messages> {
  if (!('attempt' in facts)) return { findings: [notTheGatewayFinding(facts.place.hostname, `writing to ${facts.dir}`)] };
  const { findings, details } = writableFindings(facts.attempt, facts.dir);
  return { findings, details: [`Probed ${placeLabel(facts.place)}.`, ...details], evidence: { ...facts.attempt, where: placeLabel(facts.place) } };
}

export default defineCheck({
  id: 'tmp-writable',
  title: 'The gateway can write to /tmp',
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'Creates a uniquely named file in /tmp (or --tmp-dir), writes 4 KiB, fsyncs, reads it back and deletes it — where the gateway runs ' +
      "(inside its container with --exec, or this host when its environment is the gateway's: AIGW_* variables set). Anywhere else it " +
      'skips and says how to run it there. access() alone is not trusted: root passes it on read-only mounts. Concurrent runs never ' +
      "touch each other's files (unique names, exclusive create), and each removes exactly what it made.",
    failsWhen:
      'The directory is on a read-only file system (EROFS, common on OpenShift), is not writable by the user (EACCES/EPERM), ' +
      'is full (ENOSPC) or over quota (EDQUOT), or does not exist. The AI gateway needs to write to /tmp.',
    fix: FIX,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    const dir = ctx.settings.tmpDir;
    if (place.kind === 'elsewhere') return { place, dir };
    return { place, dir, attempt: await writeAttempt(ctx, dir) };
  },
  // Stryker restore all
  judge,
});
