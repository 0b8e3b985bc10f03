// Judges a write attempt: one verdict per errno, each with its cause and the install guide's fix.
import type { CheckOutcome } from '../model.js';
import type { WriteAttempt } from './facts.js';

/** What the directory is for and how to fix it, per check. */
export interface WritableSubject {
  /** e.g. "/tmp" or "HF_HOME (/home/aigateway/.hf)". */
  label: string;
  /** Why the gateway needs to write there. */
  purpose: string;
  /** The install guide's fix for a directory the gateway cannot write. */
  fix: string;
  /** Where the probe ran ("this host", "inside: docker exec gitlab-aigw"). */
  where: string;
}

function who(a: WriteAttempt): string {
  return a.uid === undefined ? 'the probe' : `uid ${a.uid}${a.gid === undefined ? '' : ` gid ${a.gid}`}`;
}

/** The verdict on `attempt` for `subject`. */
export function judgeWritable(attempt: WriteAttempt, subject: WritableSubject): CheckOutcome {
  const evidence = { ...attempt, where: subject.where };
  const details = [`Probed ${subject.where}: create, write, fsync, read back and delete a file in ${attempt.dir}.`];
  if (!attempt.cleanedUp) details.push(`The probe could not remove its own file or directory in ${attempt.dir}; remove any .duo-doctor-* entry there.`);
  if (attempt.ok) {
    const created = attempt.existed ? '' : ` (it did not exist; it was created and removed again, as the gateway would create it)`;
    return { status: 'pass', summary: `${subject.label} is writable${created}`, details, evidence };
  }
  const step = attempt.failedStep ?? 'write';
  const code = attempt.code ?? 'error';
  const cause = (() => {
    if (!attempt.existed && step === 'mkdir') {
      return `${subject.label} does not exist and ${who(attempt)} cannot create it under ${attempt.nearestParent ?? '/'} (${code})`;
    }
    switch (attempt.code) {
      case 'EROFS':
        return `${subject.label} is on a read-only file system (EROFS)`;
      case 'EACCES':
      case 'EPERM':
        return `${subject.label} is not writable by ${who(attempt)}: permission denied (${code})`;
      case 'ENOSPC':
        return `${subject.label} has no space left (ENOSPC)`;
      case 'EDQUOT':
        return `${subject.label} is over its disk quota (EDQUOT)`;
      case 'ENOTDIR':
        return `${subject.label} is not a directory (ENOTDIR)`;
      default:
        return `${subject.label} could not be written: ${code} at the ${step} step`;
    }
  })();
  if (attempt.owner) {
    const of = attempt.existed ? attempt.dir : (attempt.nearestParent ?? attempt.dir);
    details.push(`${of} is owned by uid ${attempt.owner.uid} gid ${attempt.owner.gid}, mode ${attempt.owner.mode}.`);
  }
  if (attempt.message) details.push(`Failed at the ${step} step: ${attempt.message}`);
  return {
    status: 'fail',
    summary: `${cause}: ${subject.purpose}`,
    details,
    remediation: subject.fix,
    evidence,
  };
}
