// writableFindings: one finding id per outcome of the write probe, and a warning when the probe's own entry stayed behind.
import { describe, expect, it } from 'vitest';
import { writableFindings } from '../../src/judge/writable.js';
import type { WriteAttempt } from '../../src/runtime/facts.js';

const attempt = (over: Partial<WriteAttempt>): WriteAttempt => ({ dir: '/d', ok: true, existed: true, cleanedUp: true, uid: 1000, gid: 1000, ...over });
const failed = (code: string, step: WriteAttempt['failedStep'] = 'create') => attempt({ ok: false, code, failedStep: step, message: `${code}: nope` });

describe('writableFindings', () => {
  it.each([
    ['an existing directory written', attempt({}), ['writable']],
    ['a missing directory that can be created', attempt({ existed: false, nearestParent: '/' }), ['creatable']],
    ['a missing directory that cannot be created', attempt({ ok: false, existed: false, nearestParent: '/home', failedStep: 'mkdir', code: 'EACCES' }), ['cannotCreate']],
    ['read-only', failed('EROFS'), ['readOnly']],
    ['EACCES', failed('EACCES'), ['permissionDenied']],
    ['EPERM', failed('EPERM'), ['permissionDenied']],
    ['full', failed('ENOSPC', 'write'), ['noSpace']],
    ['over quota', failed('EDQUOT', 'write'), ['overQuota']],
    ['a file where the directory should be', failed('ENOTDIR', 'stat'), ['notADirectory']],
    ['any other errno', failed('EIO', 'read'), ['writeFailed']],
    ['no errno at all', attempt({ ok: false, failedStep: 'fsync' }), ['writeFailed']],
    ['written, but its file stayed behind', attempt({ cleanedUp: false }), ['writable', 'leftBehind']],
    ['failed, and its file stayed behind', { ...failed('ENOSPC', 'write'), cleanedUp: false }, ['noSpace', 'leftBehind']],
  ])('%s → %j', (_name, a, ids) => {
    expect(writableFindings(a, 'X').findings.map((f) => f.id)).toEqual(ids);
  });

  it('names who tried and the owner of the directory that refused', () => {
    const { findings, details } = writableFindings(
      { ...failed('EACCES'), owner: { uid: 0, gid: 0, mode: '0755' } },
      '/d',
    );
    expect(findings[0]?.data).toMatchObject({ who: 'uid 1000 gid 1000', code: 'EACCES', parent: '/d' });
    expect(details).toContain('/d is owned by uid 0 gid 0, mode 0755.');
  });
});
