// Reads the token file (--gitlab-token-file): a regular file, or a pipe — `/dev/stdin`, `<(vault read ...)`, a FIFO —
// the usual ways to hand over a secret without writing it to disk. Both are bounded in size, a pipe also in time.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import net from 'node:net';
import { readLimited } from '../fs/read-limited.js';
import { UsageError } from './errors.js';

/** A token file larger than this is not one (a token is a few dozen bytes; this leaves room for comments). */
export const MAX_TOKEN_BYTES = 64 * 1024;
/** How long a pipe may take to deliver the token before the run gives up on it. */
export const TOKEN_PIPE_TIMEOUT_MS = 10_000;

// Stryker disable all: pipe I/O (a FIFO needs mkfifo, a program the unit tier does not start), tested end to end by
// test/config/token-file.integration.test.ts, as the checks' gather bodies are.
/** The descriptor a path names directly (`/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N`): a socket there cannot be reopened. */
function namedDescriptor(file: string): number | undefined {
  if (file === '/dev/stdin') return 0;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

/** Reads a pipe until its writer closes it, at most `maxBytes` and `timeoutMs`. */
async function readPipe(file: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  // Opened non-blocking so that a FIFO nobody writes to cannot hold a thread forever; the socket waits for data.
  const fd = namedDescriptor(file);
  const handle = fd === undefined ? await open(file, constants.O_RDONLY | constants.O_NONBLOCK) : undefined;
  const socket = new net.Socket({ fd: fd ?? handle!.fd, readable: true, writable: false });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(
        () => reject(new UsageError(`--gitlab-token-file ${file}: nothing written to the pipe within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          clearTimeout(timer);
          reject(new UsageError(`--gitlab-token-file ${file}: is larger than ${maxBytes} bytes`));
        } else chunks.push(chunk);
      });
      socket.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new UsageError(`--gitlab-token-file ${file}: ${error.code ?? error.message}`));
      });
    });
  } finally {
    socket.destroy();
    await handle?.close().catch(() => undefined);
  }
}

/** Whether `stat` found a pipe or a socket (`<(...)`, a FIFO, `/dev/stdin` from a pipe). */
const isPipe = (kind: Stats | undefined): boolean => Boolean(kind?.isFIFO() || kind?.isSocket());

/** The pipe's bytes, every failure a UsageError naming the file. */
function readPipeToken(file: string, timeoutMs: number): Promise<Buffer> {
  return readPipe(file, MAX_TOKEN_BYTES, timeoutMs).catch((error: unknown) => {
    throw error instanceof UsageError
      ? error
      : new UsageError(`--gitlab-token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
}

// Stryker restore all
/** The token in `file` (trimmed), or a UsageError naming the file. */
export async function readTokenFile(file: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const kind = await stat(file).catch(() => undefined);
  let data: Buffer;
  // Stryker disable next-line ConditionalExpression: only a FIFO tells the branches apart (a socket path fails to open, ENXIO, on both), and a FIFO needs mkfifo: the integration tier
  if (isPipe(kind)) {
    data = await readPipeToken(file, options.timeoutMs ?? TOKEN_PIPE_TIMEOUT_MS);
  } else {
    const read = await readLimited(file, MAX_TOKEN_BYTES);
    if (!read.ok) throw new UsageError(`--gitlab-token-file ${file}: ${read.failure.message}`);
    data = read.data;
  }
  const token = data.toString('utf8').trim();
  if (!token) throw new UsageError(`--gitlab-token-file ${file}: the file is empty`);
  return token;
}
