#!/bin/sh
# Write probe (duo-doctor, run in the gateway's container by src/runtime/exec-host.ts) for directory $1: create
# (noclobber), write, fsync, read back, delete — as the Node probe does. A missing directory is never created: the probe
# makes a uniquely named directory (mkdir without -p fails if the name exists) in its nearest existing ancestor and works
# there. It removes exactly what it made, so concurrent runs never interfere. Prints key=value lines.
d=$1
echo probe=write
echo "uid=$(id -u 2>/dev/null)"
echo "gid=$(id -g 2>/dev/null)"
# ls -n fields: split on purpose into $1 (mode) $3 (uid) $4 (gid).
# shellcheck disable=SC2046
owner() { set -- $(ls -nd "$1" 2>/dev/null); echo "owner_uid=$3"; echo "owner_gid=$4"; echo "owner_perm=$1"; }
fail() { echo "step=$1"; echo "error=$(printf '%s' "$2" | tr '\n' ' ')"; owner "$3"; echo "cleaned=$cleaned"; exit 0; }
name() { echo ".duo-doctor-$$-$(od -An -N6 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')"; }
made=""
f=""
cleaned=1
if [ -e "$d" ] && [ ! -d "$d" ]; then echo existed=1; echo step=stat; echo code=ENOTDIR; echo "error=$d is not a directory"; exit 0; fi
w=$d
if [ -d "$d" ]; then echo existed=1; else
  echo existed=0
  p=$d
  while [ ! -e "$p" ]; do p=$(dirname "$p"); done
  echo "nearest=$p"
  w="$p/$(name)"
  err=$(mkdir -m 700 "$w" 2>&1) || fail mkdir "$err" "$p"
  made=$w
fi
f="$w/$(name)"
# Only the probe's own file and directory: everything else there belongs to the gateway or another run.
undo() {
  rm -f "$f" 2>/dev/null
  if [ -n "$made" ]; then rmdir "$made" 2>/dev/null; [ -e "$made" ] && cleaned=0; fi
  [ -e "$f" ] && cleaned=0
}
err=$( (set -C; : > "$f") 2>&1) || { f=""; undo; fail create "$err" "$d"; }
payload="duo-doctor write probe $$ $(date +%s)"
# Written through cat: a failed printf only says "I/O error" (dash) and the loop's status hides it; cat names the errno (ENOSPC).
err=$( (i=0; while [ $i -lt 64 ]; do printf '%s\n' "$payload"; i=$((i+1)); done) | cat 2>&1 > "$f") || { undo; fail write "$err" "$d"; }
err=$(sync "$f" 2>&1 || sync 2>&1) || { undo; fail fsync "$err" "$d"; }
back=$(head -n 1 "$f" 2>&1) || { undo; fail read "$back" "$d"; }
[ "$back" = "$payload" ] || { undo; fail read "read back different bytes than written" "$d"; }
err=$(rm "$f" 2>&1) || { undo; fail delete "$err" "$d"; }
undo
echo ok=1
echo "cleaned=$cleaned"
