// The facts runtime probes gather where the gateway runs (this host, or its container under --exec).
import type { Env } from '../config/settings.js';

/**
 * Where runtime probes run: the gateway's container through --exec; this host when its environment is the gateway's
 * (it holds AIGW_* variables, the gateway's settings prefix); or this host when it is not the gateway's (a laptop, a CI pod).
 */
export type RuntimePlace = GatewayPlace | NotTheGateway;
/** A place runtime checks judge: the gateway's container, or a host whose environment is the gateway's. */
export type GatewayPlace = { kind: 'exec'; prefix: string } | { kind: 'gateway-env'; hostname: string };
/** A host that is not the gateway's: runtime checks judge nothing there and create nothing. */
export type NotTheGateway = { kind: 'elsewhere'; hostname: string };

/** Which step of a write attempt failed. `mkdir` = creating a directory in the nearest existing ancestor of a missing one. */
export type WriteStep = 'stat' | 'mkdir' | 'create' | 'write' | 'fsync' | 'read' | 'delete';

/**
 * The outcome of creating, writing, fsyncing, reading back and deleting a uniquely named file in a directory. A missing
 * directory is not created: the probe works in a uniquely named directory it makes in the nearest existing ancestor.
 */
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
  /** Whether the probe's own file (and the directory it made for a missing one) is gone afterwards. */
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

/** What the gateway's container shows of itself: its machine, the kernel's CPU, and the TCP ports listened on in its network. */
export interface ContainerFacts {
  /** `uname -m` inside: the architecture the image runs as (x86_64, aarch64). */
  machine: string;
  /** The CPU family /proc/cpuinfo reports: the host's, even when the image runs under emulation. */
  cpu: 'x86' | 'arm' | 'unknown';
  /** Every listening TCP socket (v4 and v6) and whether a process visible in the container holds it. */
  listeners: { port: number; held: boolean }[];
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

/** A directory's entries, or why they could not be listed. */
export type DirList = { ok: true; entries: string[] } | { ok: false; code?: string; message: string };

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
  /** Lists a directory (the HuggingFace cache) as the gateway's user would. Never rejects for the directory's own problems. */
  listDir(path: string): Promise<DirList>;
  /** Only inside a container (--exec): its machine, CPU and listeners. */
  container?(): Promise<ContainerFacts>;
}

/**
 * A model's files in the HuggingFace hub cache where the gateway runs: `<hub>/models--<org>--<name>/refs/main` names the
 * snapshot, `snapshots/<revision>/` holds its files (https://huggingface.co/docs/hub/local-cache).
 */
export interface HubCacheEntry {
  /** `<hub>/models--<org>--<name>`. */
  repoDir: string;
  /** The commit refs/main names, when it could be read. */
  revision?: string;
  /** The files of that snapshot, when it could be listed. */
  files?: string[];
  /** Why refs/main or the snapshot could not be read ("ENOENT: ..."). */
  problem?: string;
}
