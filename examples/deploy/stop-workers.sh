#!/usr/bin/env bash
# Stops the workers started by start-workers.sh: SIGTERM (each commits and closes), the last
# one started first so that a worker hosting the embedded broker goes last.
#
#   examples/deploy/stop-workers.sh [DIR]
set -euo pipefail
dir="${1:-${PWD}/sluice-workers}"
[ -f "$dir/pids" ] || { echo "stop-workers: no $dir/pids" >&2; exit 2; }
status=0
for pid in $(tac "$dir/pids"); do
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "worker $pid did not stop" >&2; status=1; fi
  fi
done
rm -f "$dir/pids"
exit $status
