#!/bin/sh
# Container probe (duo-doctor, run in the gateway's container by src/runtime/exec-host.ts): the machine the image runs
# as (uname -m), the CPU the kernel reports (/proc/cpuinfo is the host's even under emulation), and every listening TCP
# socket with whether a process visible here holds it; prints key=value lines.
echo probe=container
echo "machine=$(uname -m 2>/dev/null)"
if grep -q '^vendor_id' /proc/cpuinfo 2>/dev/null; then
  echo cpu=x86
elif grep -qi '^CPU implementer' /proc/cpuinfo 2>/dev/null; then
  echo cpu=arm
else
  echo cpu=unknown
fi
# Socket inodes held by the processes this PID namespace shows (the container's own). ls is safe: fd names are numbers.
# shellcheck disable=SC2012
owned=" $(ls -l /proc/[0-9]*/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | sort -u | tr '\n' ' ')"
i=0
for table in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$table" ] || continue
  # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...; st 0A is LISTEN.
  while read -r _ local _ st _ _ _ _ _ inode _; do
    [ "$st" = 0A ] || continue
    case "$owned" in *" $inode "*) held=1 ;; *) held=0 ;; esac
    echo "listen_$i=$((0x${local##*:})) $held"
    i=$((i + 1))
  done < "$table"
done
