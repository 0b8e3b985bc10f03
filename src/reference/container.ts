// A stand-in for the gateway's container, for duo-doctor's --exec: each command runs in a network namespace of its own
// (`unshare -rn`: its own loopback, on which nothing of this host listens, as in a container on Docker's bridge), with
// the gateway's environment and nothing else (as `docker exec` gives it), and reaches GitLab as a container reaches it
// through the host's network: here GitLab's port inside the namespace is relayed, over a unix socket, to GitLab on this
// host's loopback. Nothing else of this host is reachable from inside, the model server included.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';

/** The program run inside the namespace: it listens on each relayed port, runs the command with only the gateway's environment, and exits with its code. */
const INSIDE = `import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
const [configFile, file, ...args] = process.argv.slice(2);
const { env, relays } = JSON.parse(readFileSync(configFile, 'utf8'));
const servers = relays.map(({ port, socket }) =>
  net.createServer((inside) => {
    const host = net.connect(socket);
    inside.on('error', () => host.destroy());
    host.on('error', () => inside.destroy());
    inside.pipe(host).pipe(inside);
  }),
);
await Promise.all(servers.map((s, i) => new Promise((resolve) => s.listen(relays[i].port, '127.0.0.1', resolve))));
const child = spawn(file, args, { env, stdio: 'inherit' });
const done = (code) => {
  for (const s of servers) s.close();
  process.exit(code);
};
child.on('error', (e) => (console.error(e.message), done(127)));
child.on('exit', (code, signal) => done(code ?? 128 + (os.constants.signals[signal] ?? 0)));
`;

/**
 * This machine's host name when /etc/hosts maps it to 127.0.0.1 alone (as many images do), else undefined: the name the
 * container stand-in's GitLab goes by, since a container's AIGW_GITLAB_URL never names a loopback address (gateway-env
 * warns about one). Read from the file, so no name is ever looked up beyond this machine.
 */
export async function loopbackHostName(hostsFile = '/etc/hosts'): Promise<string | undefined> {
  const name = os.hostname();
  const text = await readFile(hostsFile, 'utf8').catch(() => '');
  const addresses = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter(([, ...names]) => names.includes(name))
    .map(([address]) => address);
  return addresses.length > 0 && addresses.every((a) => a === '127.0.0.1') ? name : undefined;
}

/** A running stand-in: the --exec prefix that enters it, and `close`. */
export interface Container {
  prefix: string;
  close(): Promise<void>;
}

/**
 * Writes the stand-in into `dir` and starts the relays to `reach` (URLs on this host's loopback the container reaches,
 * e.g. GitLab's). The container's PATH is this process's (its python3 stands in for the image's).
 */
export async function startContainer(dir: string, env: Record<string, string>, reach: readonly string[]): Promise<Container> {
  const servers: net.Server[] = [];
  const open = new Set<net.Socket>();
  const relays: { port: number; socket: string }[] = [];
  for (const url of reach) {
    const port = Number(new URL(url).port);
    const socket = join(dir, `relay-${port}.sock`);
    const server = net.createServer((inside) => {
      const host = net.connect(port, '127.0.0.1');
      for (const socket of [inside, host]) {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
      }
      inside.on('error', () => host.destroy());
      host.on('error', () => inside.destroy());
      inside.pipe(host).pipe(inside);
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    servers.push(server);
    relays.push({ port, socket });
  }
  const config = join(dir, 'container.json');
  await writeFile(config, JSON.stringify({ env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' }, relays }));
  await writeFile(join(dir, 'inside.mjs'), INSIDE);
  const prefix = join(dir, 'container');
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  await writeFile(
    prefix,
    "#!/bin/sh\n# The gateway's container stand-in (src/reference/container.ts): a network namespace of its own, the gateway's environment.\n" +
      `exec unshare -rn sh -c 'ip link set lo up && exec "$@"' container ${q(process.execPath)} ${q(join(dir, 'inside.mjs'))} ${q(config)} "$@"\n`,
  );
  await chmod(prefix, 0o755);
  return {
    prefix,
    close: async () => {
      for (const socket of open) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
