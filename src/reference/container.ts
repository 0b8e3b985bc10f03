// A stand-in for the gateway's container, for duo-doctor's --exec: each command runs with the gateway's environment and
// nothing else (as `docker exec` gives it), and either
// - in a network namespace of its own (`unshare -rn`: its own loopback, on which nothing of this host listens, as in a
//   container on Docker's bridge), reaching GitLab as a container reaches it through the host's network: GitLab's port
//   inside the namespace is relayed, over a unix socket, to GitLab on this host's loopback; nothing else of this host is
//   reachable from inside, the model server included; or
// - on this host's network (`--network host`) with an arm64 userland run by qemu-user (an arm64 image on an x86 host):
//   `sh`, `env`, `cat`, `ls` are an arm64 busybox's, so `uname -m` says aarch64 while /proc/cpuinfo stays the host's.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';

/** The program run inside the namespace: it listens on each relayed port, runs the command with only the gateway's environment, and exits with its code. */
const INSIDE = `import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
const [configFile, ...command] = process.argv.slice(2);
const { env, relays, emulator } = JSON.parse(readFileSync(configFile, 'utf8'));
const [file, ...args] = [...emulator, ...command];
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

/** qemu-user's aarch64 emulator (Debian qemu-user-static), found on PATH. */
export const QEMU_AARCH64 = 'qemu-aarch64-static';

/** The arm64 busybox (Debian busybox-static:arm64) the emulated stand-in runs as the image's userland, where scripts/preflight.mjs unpacks it. */
export function arm64Busybox(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(os.homedir(), '.cache'), 'duo-doctor', 'arm64', 'bin', 'busybox');
}

/** A running stand-in: the --exec prefix that enters it, and `close`. */
export interface Container {
  prefix: string;
  close(): Promise<void>;
}

/** How the stand-in runs: its own network reaching only `reach` (URLs on this host's loopback, e.g. GitLab's), or this host's under an emulator. */
export type ContainerKind = { network: 'own'; reach: readonly string[] } | { network: 'host'; emulator: readonly string[] };

/**
 * Writes the stand-in into `dir` and starts its relays. The container's PATH is this process's (its python3 stands in
 * for the image's; under the emulator it runs natively, as binfmt_misc would not be needed for it).
 */
export async function startContainer(dir: string, env: Record<string, string>, kind: ContainerKind): Promise<Container> {
  const servers: net.Server[] = [];
  const open = new Set<net.Socket>();
  const relays: { port: number; socket: string }[] = [];
  for (const url of kind.network === 'own' ? kind.reach : []) {
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
  const emulator = kind.network === 'host' ? kind.emulator : [];
  await writeFile(config, JSON.stringify({ env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' }, relays, emulator }));
  await writeFile(join(dir, 'inside.mjs'), INSIDE);
  const prefix = join(dir, 'container');
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const inside = `${q(process.execPath)} ${q(join(dir, 'inside.mjs'))} ${q(config)} "$@"`;
  await writeFile(
    prefix,
    "#!/bin/sh\n# The gateway's container stand-in (src/reference/container.ts).\n" +
      (kind.network === 'own' ? `exec unshare -rn sh -c 'ip link set lo up && exec "$@"' container ${inside}\n` : `exec ${inside}\n`),
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
