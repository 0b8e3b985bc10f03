#!/bin/sh
# Python launcher (duo-doctor): `sh -c <this> duo-doctor SCRIPT ARGS...` runs `python3 -c SCRIPT ARGS...`, or says
# python3=absent (with the PATH searched) and exits 127, whatever the prefix (docker, kubectl, env) would have printed.
command -v python3 >/dev/null 2>&1 || { echo python3=absent; echo "path=$PATH"; exit 127; }
exec python3 -c "$@"
