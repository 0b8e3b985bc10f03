// POSIX sh probes run inside the gateway's container (no bash, no Node, no curl): they print key=value lines.
// The programs are the .sh files beside this one (shellcheck runs over them in `npm run lint`).
import containerProbe from './container-probe.sh?raw';
import pythonLauncher from './python-launcher.sh?raw';
import resourcesProbe from './resources-probe.sh?raw';
import writeProbe from './write-probe.sh?raw';

/**
 * Write probe for directory $1: create (noclobber), write, fsync, read back, delete — as the Node probe does. A missing
 * directory is never created: the probe works in a uniquely named directory of its own in the nearest existing ancestor,
 * and removes exactly what it made, so concurrent runs never interfere.
 */
export const WRITE_PROBE: string = writeProbe;

/** Resource probe: memory (meminfo, cgroup v2/v1 limit), CPUs (nproc/getconf, cgroup v2 quota), free disk for each directory argument. */
export const RESOURCES_PROBE: string = resourcesProbe;

/**
 * Python launcher: `sh -c PYTHON_LAUNCHER duo-doctor SCRIPT ARGS...` runs `python3 -c SCRIPT ARGS...`, or says
 * `python3=absent` (with the PATH searched) and exits 127 — the same answer whatever the prefix (docker, kubectl, env)
 * would have printed for a missing program.
 */
export const PYTHON_LAUNCHER: string = pythonLauncher;

/** Container probe: `uname -m`, the CPU family of /proc/cpuinfo, and each listening TCP port with whether a process visible in the container holds it. */
export const CONTAINER_PROBE: string = containerProbe;
