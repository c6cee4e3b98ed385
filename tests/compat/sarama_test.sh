#!/usr/bin/env bash
# Cross-client test: Sarama (Go; Debian's golang-github-shopify-sarama-dev 1.22, built in GOPATH
# mode with Debian's Go, no module proxy) against a sluice-broker process, with every Kafka
# version setting from 0.11 to Sarama's newest, and 0.10.2 (message format v1) refused.
#   sarama_test.sh <sluice-broker> <work dir for the Go build cache>
set -euo pipefail
bin="$1"
work="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null || { echo "FAIL: go not found (scripts/setup installs golang-go)" >&2; exit 1; }
[ -d /usr/share/gocode/src/github.com/Shopify/sarama ] ||
  { echo "FAIL: Sarama not found (scripts/setup installs golang-github-shopify-sarama-dev)" >&2; exit 1; }

mkdir -p "$work"
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS=
# cgo warnings from Debian's zstd binding are noise; errors still fail the build.
(cd "$here/sarama" && go build -o "$work/sarama-compat" . 2>"$work/build.log") ||
  { cat "$work/build.log" >&2; exit 1; }

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" --listen "127.0.0.1:$port" --data-dir "$dir/data" --set log.level=warn 2>"$dir/broker.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
  sleep 0.1
done

"$work/sarama-compat" "127.0.0.1:$port" 0.11.0.0 1.0.0 1.1.0 2.0.0 2.1.0 2.2.0 0.10.2.0 0.10.2.0
# The refused client was logged once, not once per attempt.
n="$(grep -c "client 'sarama-old'.*Produce v2" "$dir/broker.log" || true)"
[ "$n" -eq 1 ] || { echo "FAIL: the refused Produce v2 was logged $n times" >&2; cat "$dir/broker.log" >&2; exit 1; }
echo "sarama compatibility: 1 passed, 0 failed"
