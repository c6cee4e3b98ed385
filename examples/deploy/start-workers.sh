#!/usr/bin/env bash
# Starts N worker processes of a Sluice application on this machine.
#
#   examples/deploy/start-workers.sh WORKER_BINARY N [--bootstrap HOST:PORT] [--dir DIR] [-- WORKER ARGS...]
#
# Each worker gets its own state directory (DIR/worker-<i>/state, as if on separate machines),
# log (DIR/worker-<i>/log), HTTP endpoint (127.0.0.1:<9100 + i>/metrics and /health) and static
# membership id (<host>-<i>), so restarting one within the session timeout moves no tasks.
# Without --bootstrap, worker 1 starts the embedded broker on 127.0.0.1:9092 and the others use
# it. PIDs go to DIR/pids; stop them with examples/deploy/stop-workers.sh DIR.
set -euo pipefail
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
count="$2"
shift 2
bootstrap=""
dir="${PWD}/sluice-workers"
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap) bootstrap="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ -x "$binary" ] || { echo "start-workers: $binary is not executable" >&2; exit 2; }
mkdir -p "$dir"
: >"$dir/pids"
host="$(hostname -s 2>/dev/null || echo host)"
for i in $(seq 1 "$count"); do
  wdir="$dir/worker-$i"
  mkdir -p "$wdir"
  args=(--state-dir "$wdir/state" --http "127.0.0.1:$((9100 + i))" --set "group.instance.id=$host-$i")
  if [ -n "$bootstrap" ]; then
    args+=(--bootstrap "$bootstrap")
  elif [ "$i" -gt 1 ]; then
    args+=(--bootstrap 127.0.0.1:9092)
  fi
  "$binary" "${args[@]}" "$@" >"$wdir/log" 2>&1 &
  echo $! >>"$dir/pids"
  echo "worker $i: pid $!, log $wdir/log, http://127.0.0.1:$((9100 + i))/health"
  if [ -z "$bootstrap" ] && [ "$i" -eq 1 ]; then
    # The others need the embedded broker: wait until worker 1 has started its application.
    for _ in $(seq 1 300); do
      grep -q "started against" "$wdir/log" && break
      kill -0 "$(tail -n 1 "$dir/pids")" 2>/dev/null || { echo "worker 1 failed:" >&2; cat "$wdir/log" >&2; exit 1; }
      sleep 0.1
    done
  fi
done
