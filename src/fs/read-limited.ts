// Reads a file the user named (CA bundle, config, token file) without hanging or exhausting memory on a FIFO or a device.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file could not be read: the errno-style code and a short human message. */
export interface ReadFailure {
  /** ENOENT, EACCES, EISDIR, … or EFTYPE (a FIFO or socket, not a file) or EFBIG (larger than the cap). */
  code: string;
  message: string;
}

/** The file's bytes, or why not. */
export type LimitedRead = { ok: true; data: Buffer } | { ok: false; failure: ReadFailure };

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
};

function failure(code: string, message?: string): { ok: false; failure: ReadFailure } {
  return { ok: false, failure: { code, message: message ?? MESSAGES[code] ?? code } };
}

/**
 * Reads at most `maxBytes` of `file`. Opened non-blocking so a FIFO without a writer cannot stall the run (readFile
 * would wait forever); FIFOs and sockets are refused, and a device such as /dev/zero stops at the cap. Never throws.
 */
export async function readLimited(file: string, maxBytes: number): Promise<LimitedRead> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return failure((error as NodeJS.ErrnoException).code ?? 'EIO');
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) return failure('EISDIR');
    if (stats.isFIFO() || stats.isSocket()) return failure('EFTYPE', `is a ${stats.isFIFO() ? 'named pipe (FIFO)' : 'socket'}, not a file`);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - size));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) return failure('EFBIG', `is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return { ok: true, data: Buffer.concat(chunks) };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return failure(e.code ?? 'EIO', e.code ? undefined : e.message);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
