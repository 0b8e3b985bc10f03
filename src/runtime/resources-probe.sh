#!/bin/sh
# Resource probe (duo-doctor, run in the gateway's container by src/runtime/exec-host.ts): memory (meminfo, cgroup v2/v1
# limit), CPUs (nproc/getconf, cgroup v2 quota), free disk for each directory argument; prints key=value lines.
echo probe=resources
awk '/^MemTotal:/ {print "mem_total_kb=" $2} /^MemAvailable:/ {print "mem_available_kb=" $2}' /proc/meminfo 2>/dev/null
l=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
[ "$l" = max ] || echo "mem_limit=$l"
echo "cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"
if read -r q p < /sys/fs/cgroup/cpu.max 2>/dev/null && [ "$q" != max ]; then echo "cpu_quota=$q"; echo "cpu_period=$p"; fi
i=0
for d in "$@"; do
  p=$d
  while [ ! -e "$p" ]; do p=$(dirname "$p"); done
  echo "disk_free_kb_$i=$(df -Pk "$p" 2>/dev/null | awk 'NR==2 {print $4}')"
  i=$((i+1))
done
