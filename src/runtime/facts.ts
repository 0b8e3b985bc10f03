// The facts runtime probes gather where the gateway runs (this host, or its container under --exec).
import type { Env } from '../config/settings.js';

/** Which step of a write attempt failed. `mkdir` = creating a missing directory, as the gateway would. */
export type WriteStep = 'stat' | 'mkdir' | 'create' | 'write' | 'fsync' | 'read' | 'delete';

/** The outcome of creating, writing, fsyncing, reading back and deleting a uniquely named file in a directory. */
export interface WriteAttempt {
  dir: string;
  ok: boolean;
  /** Whether `dir` existed before the attempt. */
  existed: boolean;
  /** The step that failed and its errno code (EROFS, EACCES, EPERM, ENOSPC, EDQUOT, ENOENT, ENOTDIR, ...). */
  failedStep?: WriteStep;
  code?: string;
  message?: string;
  /** When `dir` was missing: the nearest existing ancestor. */
  nearestParent?: string;
  /** Who tried: uid/gid, so a permission failure can name them. */
  uid?: number;
  gid?: number;
  /** Owner and mode (octal) of `dir`, or of its nearest parent when missing. */
  owner?: { uid: number; gid: number; mode: string };
  /** Whether the probe's own file (and any directory it created) is gone afterwards. */
  cleanedUp: boolean;
}

/** Memory, CPU and disk as the gateway's process sees them (cgroup limits win over the host's totals). */
export interface ResourceFacts {
  memoryBytes: number;
  memorySource: 'cgroup' | 'host';
  availableMemoryBytes?: number;
  cpus: number;
  cpuSource: 'cgroup' | 'host';
  /** Free bytes on the file system of each directory asked about (undefined when it could not be read). */
  diskFree: Record<string, number | undefined>;
}

/** What running a Python script where the gateway runs gave. */
export interface PythonRun {
  /** False when there is no python3 there (stdout/stderr then say what was tried). */
  available: boolean;
  stdout: string;
  stderr: string;
  code: number;
}

/** A file read where the gateway runs: its text, or why it could not be read (errno code when known). */
export type FileRead = { ok: true; text: string } | { ok: false; code?: string; message: string };

/** Where runtime probes run: this host, or the gateway's container through a command prefix. */
export interface RuntimeHost {
  /** "this host" or "inside: docker exec gitlab-aigw". */
  readonly label: string;
  env(): Promise<Env>;
  writeAttempt(dir: string): Promise<WriteAttempt>;
  resources(dirs: readonly string[]): Promise<ResourceFacts>;
  /** Runs `python3 -c script ...args` with the host's environment; rejects only when the host itself cannot run commands. */
  python(script: string, args: readonly string[]): Promise<PythonRun>;
  /** Reads a text file (a CA bundle) as the gateway's user would. Never rejects for the file's own problems. */
  readFile(path: string): Promise<FileRead>;
}
