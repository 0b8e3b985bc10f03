// Judges a write attempt (create, write, fsync, read back, delete): one finding per errno, each with its cause.
import type { FindingOf, Message } from '../check.js';
import type { WriteAttempt } from '../runtime/facts.js';

/** What each writable finding's text is filled from: the directory as reports name it, and who tried. */
export interface WritableData {
  /** "/tmp", "HF_HOME /home/aigateway/.hf". */
  label: string;
  /** "uid 1000 gid 1000", or "the probe" when unknown. */
  who: string;
  code: string;
  step: string;
  parent: string;
}

/**
 * The message table every writable check shares, with its own `purpose` (why the gateway writes there) and `fix`.
 * Ids are stable: reports and tests key on them.
 */
export function writableMessages(purpose: string | ((d: WritableData) => string), fix: string) {
  const why = typeof purpose === 'string' ? () => purpose : purpose;
  const problem = (text: (d: WritableData) => string): Message<WritableData> => ({ status: 'fail', text: (d) => `${text(d)}: ${why(d)}`, fix });
  return {
    writable: { status: 'pass', text: (d: WritableData) => `${d.label} is writable` },
    creatable: {
      status: 'pass',
      text: (d: WritableData) =>
        `${d.label} does not exist yet; ${d.who} can create it under ${d.parent} (the probe created and removed a directory of its own there, not ${d.label})`,
    },
    cannotCreate: problem((d) => `${d.label} does not exist and ${d.who} cannot create it under ${d.parent} (${d.code})`),
    readOnly: problem((d) => `${d.label} is on a read-only file system (EROFS)`),
    permissionDenied: problem((d) => `${d.label} is not writable by ${d.who}: permission denied (${d.code})`),
    noSpace: problem((d) => `${d.label} has no space left (ENOSPC)`),
    overQuota: problem((d) => `${d.label} is over its disk quota (EDQUOT)`),
    notADirectory: problem((d) => `${d.label} is not a directory (ENOTDIR)`),
    writeFailed: problem((d) => `${d.label} could not be written: ${d.code} at the ${d.step} step`),
    leftBehind: {
      status: 'warn',
      text: (d: WritableData) => `the write probe could not remove its own .duo-doctor-* entry in ${d.parent}`,
      fix: 'Remove the .duo-doctor-* entries the probe names in its details (only those: they hold nothing but its test bytes).',
    },
  } satisfies Record<string, Message<WritableData>>;
}

export type WritableMessages = ReturnType<typeof writableMessages>;

/** Python's words for a failed write (`OSError` as the gateway logs it), by errno name; the name alone for others. */
const PYTHON_OS_ERRORS: Record<string, string> = {
  EACCES: '[Errno 13] Permission denied',
  EPERM: '[Errno 1] Operation not permitted',
  EROFS: '[Errno 30] Read-only file system',
  ENOSPC: '[Errno 28] No space left on device',
  EDQUOT: '[Errno 122] Disk quota exceeded',
  ENOTDIR: '[Errno 20] Not a directory',
  ENOENT: '[Errno 2] No such file or directory',
  EIO: '[Errno 5] Input/output error',
};

/** What the gateway's Python logs when a write fails with `code` ("[Errno 30] Read-only file system"). */
export function pythonOsError(code: string): string {
  return PYTHON_OS_ERRORS[code] ?? `OSError (${code})`;
}

const BY_CODE: Record<string, keyof WritableMessages> = {
  EROFS: 'readOnly',
  EACCES: 'permissionDenied',
  EPERM: 'permissionDenied',
  ENOSPC: 'noSpace',
  EDQUOT: 'overQuota',
  ENOTDIR: 'notADirectory',
};

/** The findings for one write attempt on the directory reports call `label`; `details` say what was probed and what failed. */
export function writableFindings(attempt: WriteAttempt, label: string): { findings: FindingOf<WritableMessages>[]; details: string[] } {
  const who = attempt.uid === undefined ? 'the probe' : `uid ${attempt.uid}${attempt.gid === undefined ? '' : ` gid ${attempt.gid}`}`;
  const parent = attempt.existed ? attempt.dir : (attempt.nearestParent ?? '/');
  const data: WritableData = { label, who, code: attempt.code ?? 'error', step: attempt.failedStep ?? 'write', parent };
  const details = [
    `Create, write, fsync, read back and delete a uniquely named file in ${attempt.existed ? attempt.dir : `a directory of the probe's own under ${parent}`}.`,
  ];
  const findings: FindingOf<WritableMessages>[] = [];
  if (attempt.ok) {
    findings.push({ id: attempt.existed ? 'writable' : 'creatable', data });
  } else {
    // Stryker disable next-line StringLiteral: any string that is no errno finds no entry in BY_CODE, as '' does
    const id = !attempt.existed && attempt.failedStep === 'mkdir' ? 'cannotCreate' : (BY_CODE[attempt.code ?? ''] ?? 'writeFailed');
    findings.push({ id, data });
    if (attempt.owner) details.push(`${parent} is owned by uid ${attempt.owner.uid} gid ${attempt.owner.gid}, mode ${attempt.owner.mode}.`);
    if (attempt.message) details.push(`Failed at the ${data.step} step: ${attempt.message}`);
  }
  if (!attempt.cleanedUp) findings.push({ id: 'leftBehind', data });
  return { findings, details };
}
