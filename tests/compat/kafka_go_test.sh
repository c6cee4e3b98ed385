#!/usr/bin/env bash
# Cross-client test: segmentio/kafka-go 0.2.1 (Go; Debian's golang-github-segmentio-kafka-go-dev,
# built in GOPATH mode with Debian's Go, no module proxy) against a sluice-broker process.
# kafka-go 0.2.1 sends fixed, old API versions and no ApiVersions. Its Metadata v1, CreateTopics
# v0 (Kafka 4 serves v2+; Sluice still serves v0, as Kafka 3.9 did), DeleteTopics v1, ListOffsets
# v1 and consumer-group calls (FindCoordinator v0, JoinGroup v1, SyncGroup v0, Heartbeat v0,
# OffsetFetch v1, OffsetCommit v2) work. Its Produce v2 and Fetch v2 are message format v1, which
# Apache Kafka 4.0 removed (KIP-896): Kafka 4 closes the connection on them, and so does the
# broker. The test asserts exactly that failure and that nothing was appended (see
# compat/kafka_go/main.go).
#   kafka_go_test.sh <sluice-broker> <work dir for the Go build cache>
set -euo pipefail
bin="$1"
work="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null || { echo "FAIL: go not found (scripts/setup installs golang-go)" >&2; exit 1; }
for pkg in segmentio/kafka-go Shopify/sarama; do
  [ -d "/usr/share/gocode/src/github.com/$pkg" ] ||
    { echo "FAIL: $pkg not found (scripts/setup installs it from Debian)" >&2; exit 1; }
done

mkdir -p "$work"
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS=
# cgo warnings from Debian's zstd binding (through Sarama) are noise; errors still fail the build.
(cd "$here/kafka_go" && go build -o "$work/kafka-go-compat" . 2>"$work/build.log") ||
  { cat "$work/build.log" >&2; exit 1; }

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" --listen "127.0.0.1:$port" --data-dir "$dir/data" --set log.level=warn 2>"$dir/broker.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
  sleep 0.1
done

"$work/kafka-go-compat" "127.0.0.1:$port" || { echo "--- broker log" >&2; cat "$dir/broker.log" >&2; exit 1; }
# The refusals are the broker closing the connection for versions it does not serve, nothing else.
for what in "kafka-go-produce'.*Produce v2: version not served" "kafka-go-fetch'.*Fetch v2: version not served"; do
  grep -q "client '$what" "$dir/broker.log" ||
    { echo "FAIL: no close logged for $what" >&2; cat "$dir/broker.log" >&2; exit 1; }
done
if grep -v "version not served" "$dir/broker.log" | grep -q "kafka-go"; then
  echo "FAIL: other closes of a kafka-go connection:" >&2; grep "kafka-go" "$dir/broker.log" >&2; exit 1
fi
echo "kafka-go compatibility: 1 passed, 0 failed"
