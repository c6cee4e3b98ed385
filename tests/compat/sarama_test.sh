#!/usr/bin/env bash
# Cross-client test: Sarama (Go; Debian's golang-github-shopify-sarama-dev 1.22, built in GOPATH
# mode with Debian's Go, no module proxy) against a sluice-broker process, with every Kafka
# version setting from 0.11 to Sarama's newest, and 0.10.2 (message format v1) refused.
#   sarama_test.sh <sluice-broker> <work dir for the Go build cache>
set -euo pipefail
bin="$1"
work="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
go_build "$here/sarama" "$work/sarama-compat" "$work" Shopify/sarama
start_broker "$bin"

"$work/sarama-compat" "127.0.0.1:$port" 0.11.0.0 1.0.0 1.1.0 2.0.0 2.1.0 2.2.0 0.10.2.0 0.10.2.0
# The refused client was logged once, not once per attempt.
n="$(grep -c "client 'sarama-old'.*Produce v2" "$dir/broker.log" || true)"
[ "$n" -eq 1 ] || { echo "FAIL: the refused Produce v2 was logged $n times" >&2; cat "$dir/broker.log" >&2; exit 1; }
echo "sarama compatibility: 1 passed, 0 failed"
