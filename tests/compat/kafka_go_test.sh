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
# shellcheck source=lib.sh
. "$here/lib.sh"
go_build "$here/kafka_go" "$work/kafka-go-compat" "$work" segmentio/kafka-go Shopify/sarama
start_broker "$bin"

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
