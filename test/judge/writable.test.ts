// writableFindings: one finding id per outcome of the write probe, and a warning when the probe's own entry stayed behind.
import { describe, expect, it } from 'vitest';
import { pythonOsError, writableFindings, writableMessages } from '../../src/judge/writable.js';
import type { WriteAttempt } from '../../src/runtime/facts.js';

const attempt = (over: Partial<WriteAttempt>): WriteAttempt => ({
  dir: '/d',
  ok: true,
  existed: true,
  cleanedUp: true,
  uid: 1000,
  gid: 1000,
  ...over,
});
const failed = (code: string, step: WriteAttempt['failedStep'] = 'create') =>
  attempt({ ok: false, code, failedStep: step, message: `${code}: nope` });

describe('writableFindings', () => {
  it.each([
    ['an existing directory written', attempt({}), ['writable']],
    ['a missing directory that can be created', attempt({ existed: false, nearestParent: '/' }), ['creatable']],
    [
      'a missing directory that cannot be created',
      attempt({ ok: false, existed: false, nearestParent: '/home', failedStep: 'mkdir', code: 'EACCES' }),
      ['cannotCreate'],
    ],
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
    const { findings, details } = writableFindings({ ...failed('EACCES'), owner: { uid: 0, gid: 0, mode: '0755' } }, '/d');
    expect(findings[0]?.data).toMatchObject({ who: 'uid 1000 gid 1000', code: 'EACCES', parent: '/d' });
    expect(details).toContain('/d is owned by uid 0 gid 0, mode 0755.');
  });
});

describe('writableFindings at the edges of its facts', () => {
  const dataOf = (a: WriteAttempt) => writableFindings(a, 'X').findings[0]?.data;

  it.each([
    ['uid and gid known', attempt({}), 'uid 1000 gid 1000'],
    ['uid known, gid not', attempt({ gid: undefined }), 'uid 1000'],
    ['neither known', attempt({ uid: undefined, gid: undefined }), 'the probe'],
  ])('who tried: %s', (_name, a, who) => {
    expect(dataOf(a)?.who).toBe(who);
  });

  it.each([
    ['an existing directory: itself', attempt({ dir: '/d' }), '/d'],
    ['a missing one: its nearest existing parent', attempt({ existed: false, nearestParent: '/home' }), '/home'],
    ['a missing one with no parent found: the root', attempt({ existed: false, nearestParent: undefined }), '/'],
  ])('the parent named: %s', (_name, a, parent) => {
    expect(dataOf(a)?.parent).toBe(parent);
  });

  it('fills the errno and step in when the probe gave none', () => {
    expect(dataOf(attempt({ ok: false }))).toMatchObject({ code: 'error', step: 'write' });
    expect(dataOf(failed('EIO', 'read'))).toMatchObject({ code: 'EIO', step: 'read' });
  });

  it.each([
    ['an existing directory that refused mkdir is judged by its errno', { ...failed('EACCES', 'mkdir'), existed: true }, 'permissionDenied'],
    ['a missing directory that failed past mkdir is judged by its errno', { ...failed('EROFS', 'create'), existed: false }, 'readOnly'],
  ])('%s', (_name, a, id) => {
    expect(writableFindings(a, 'X').findings.map((f) => f.id)).toEqual([id]);
  });

  it('says what was probed, then the failure only when the probe reported one', () => {
    expect(writableFindings(attempt({}), 'X').details).toHaveLength(1);
    expect(writableFindings(attempt({ ok: false, code: 'EIO' }), 'X').details).toHaveLength(1);
    const { details } = writableFindings(failed('EIO', 'read'), 'X');
    expect(details).toHaveLength(2);
    expect(details[1]).toContain('EIO: nope');
  });

  it('says where it probed: the directory, or a directory of its own under the parent', () => {
    expect(writableFindings(attempt({ dir: '/d' }), 'X').details[0]).toContain('/d');
    expect(writableFindings(attempt({ existed: false, nearestParent: '/p' }), 'X').details[0]).toContain('under /p');
  });

  it('every message renders a text naming the directory, and every problem carries the fix', () => {
    const messages = writableMessages('PURPOSE', 'FIX');
    const data = { label: 'LABEL', who: 'WHO', code: 'CODE', step: 'STEP', parent: 'PARENT' };
    for (const [id, m] of Object.entries(messages)) {
      const text = m.text(data);
      expect(text, id).toContain(id === 'leftBehind' ? 'PARENT' : 'LABEL');
      if (m.status === 'fail') expect([id, text.endsWith('PURPOSE'), 'fix' in m && m.fix], id).toEqual([id, true, 'FIX']);
    }
  });
});

describe('writableMessages', () => {
  it('gives each finding its status, and the left-behind warning a fix of its own', () => {
    const messages = writableMessages('PURPOSE', 'FIX');
    expect(Object.fromEntries(Object.entries(messages).map(([id, m]) => [id, m.status]))).toEqual({
      writable: 'pass',
      creatable: 'pass',
      cannotCreate: 'fail',
      readOnly: 'fail',
      permissionDenied: 'fail',
      noSpace: 'fail',
      overQuota: 'fail',
      notADirectory: 'fail',
      writeFailed: 'fail',
      leftBehind: 'warn',
    });
    expect(messages.leftBehind.fix).toMatch(/\.duo-doctor-\*/);
  });
});

describe('pythonOsError (what the gateway logs for a failed write)', () => {
  it.each([
    ['EACCES', '[Errno 13] Permission denied'],
    ['EPERM', '[Errno 1] Operation not permitted'],
    ['EROFS', '[Errno 30] Read-only file system'],
    ['ENOSPC', '[Errno 28] No space left on device'],
    ['EDQUOT', '[Errno 122] Disk quota exceeded'],
    ['ENOTDIR', '[Errno 20] Not a directory'],
    ['EIO', '[Errno 5] Input/output error'],
    ['EWHATEVER', 'OSError (EWHATEVER)'],
  ])('%s → %s', (code, words) => expect(pythonOsError(code)).toBe(words));
});
