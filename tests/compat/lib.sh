# What the shell cross-client tests share (sourced, not run): free ports, waiting for a
# listener, a sluice-broker process, and building a Go test program from Debian's Go packages.
# Uses /usr/bin/python3 for sockets (always present on Debian).

# A free TCP port on 127.0.0.1 (bound to port 0 and released).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port <port> <what>: waits up to 30 s for a listener on 127.0.0.1:<port>, else fails.
wait_port() {
  for _ in $(seq 1 300); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: $2 did not start listening on $1" >&2
  exit 1
}

# start_broker <sluice-broker> [--set k=v ...]: a broker on a free port with a data directory
# under a new temporary $dir, its log in $dir/broker.log; sets dir, port, broker_pid and an EXIT
# trap that stops it and removes $dir. Returns once it accepts connections.
start_broker() {
  local bin="$1"
  shift
  dir="$(mktemp -d)"
  port="$(free_port)"
  "$bin" --listen "127.0.0.1:$port" --data-dir "$dir/data" --set log.level=warn "$@" 2>"$dir/broker.log" &
  broker_pid=$!
  trap 'kill $broker_pid 2>/dev/null; wait $broker_pid 2>/dev/null; rm -rf "$dir"' EXIT
  wait_port "$port" sluice-broker
}

# go_build <source dir> <output binary> <work dir> <Debian Go package path>...: builds a test
# program in GOPATH mode against Debian's packages (no module proxy), after checking that Go and
# each package (e.g. Shopify/sarama) are installed. Build output goes to <work dir>/build.log and
# is shown only when the build fails (cgo warnings from Debian's zstd binding are noise).
go_build() {
  local src="$1" out="$2" work="$3"
  shift 3
  command -v go >/dev/null || { echo "FAIL: go not found (scripts/setup installs golang-go)" >&2; exit 1; }
  for pkg in "$@"; do
    [ -d "/usr/share/gocode/src/github.com/$pkg" ] ||
      { echo "FAIL: $pkg not found (scripts/setup installs it from Debian)" >&2; exit 1; }
  done
  mkdir -p "$work"
  (cd "$src" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS= \
     go build -o "$out" . 2>"$work/build.log") || { cat "$work/build.log" >&2; exit 1; }
}
