// judgeWritable: one verdict per errno, each naming the directory, the cause and the fix.
import { describe, expect, it } from 'vitest';
import type { WriteAttempt } from '../../src/runtime/facts.js';
import { judgeWritable } from '../../src/runtime/writable.js';

const subject = { label: '/tmp', purpose: 'the gateway writes there', fix: 'mount an emptyDir at /tmp', where: 'this host' };
const base: WriteAttempt = { dir: '/tmp', ok: false, existed: true, cleanedUp: true, uid: 1000, gid: 1000 };

describe('judgeWritable', () => {
  it.each([
    [{ code: 'EROFS', failedStep: 'create' }, '/tmp is on a read-only file system (EROFS)'],
    [{ code: 'EACCES', failedStep: 'create' }, '/tmp is not writable by uid 1000 gid 1000: permission denied (EACCES)'],
    [{ code: 'EPERM', failedStep: 'create' }, 'permission denied (EPERM)'],
    [{ code: 'ENOSPC', failedStep: 'write' }, '/tmp has no space left (ENOSPC)'],
    [{ code: 'EDQUOT', failedStep: 'write' }, 'over its disk quota (EDQUOT)'],
    [{ code: 'ENOTDIR', failedStep: 'stat' }, '/tmp is not a directory (ENOTDIR)'],
    [{ code: 'EACCES', failedStep: 'mkdir', existed: false, nearestParent: '/home' }, 'does not exist and uid 1000 gid 1000 cannot create it under /home (EACCES)'],
    [{ code: 'EIO', failedStep: 'read' }, 'could not be written: EIO at the read step'],
  ] as const)('%o → fail "%s"', (fields, expected) => {
    const outcome = judgeWritable({ ...base, ...fields }, subject);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain(expected);
    expect(outcome.summary).toContain('the gateway writes there');
    expect(outcome.remediation).toBe('mount an emptyDir at /tmp');
  });

  it('passes a successful attempt and says when the directory was created', () => {
    expect(judgeWritable({ ...base, ok: true }, subject)).toMatchObject({ status: 'pass', summary: '/tmp is writable' });
    expect(judgeWritable({ ...base, ok: true, existed: false }, subject).summary).toMatch(/did not exist; it was created and removed/);
  });

  it('says when the probe could not clean up after itself', () => {
    expect(judgeWritable({ ...base, ok: true, cleanedUp: false }, subject).details?.join('\n')).toMatch(/could not remove its own file/);
  });
});
