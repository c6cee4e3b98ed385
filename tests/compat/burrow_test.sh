#!/usr/bin/env bash
# Cross-client test: Burrow (LinkedIn's consumer-lag monitor; Debian's burrow 1.2.1, built with
# Sarama) against a sluice-broker process. Burrow reads the committed offsets from
# __consumer_offsets, decoding Kafka's record format itself (offset commit keys v0/v1 with
# values v0, v1 or v3; group metadata values v0/v1 only, so the v3 ones Kafka 4 writes are
# logged as undecodable, exactly as against Kafka 4, and only cost Burrow the partition owners),
# and the partitions' end offsets with ListOffsets. It needs a ZooKeeper for itself: the test
# runs a private one (Debian's zookeeper package, as a plain java process) on a free port.
#
# A consumer group (kafka-python) commits offsets that leave a known lag per partition; Burrow's
# HTTP API must report exactly that lag, then the new lag after more records and commits.
#   burrow_test.sh <sluice-broker>
set -euo pipefail
bin="$1"
py=/usr/bin/python3  # Debian's, with python3-kafka
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"  # free_port, wait_port
burrow=/usr/bin/Burrow
zkjar=/usr/share/java/zookeeper.jar
for f in "$burrow" "$zkjar" /usr/share/java/slf4j-simple.jar; do
  [ -e "$f" ] || { echo "FAIL: $f not found (scripts/setup installs burrow and zookeeper)" >&2; exit 1; }
done
command -v java >/dev/null || { echo "FAIL: java not found (the zookeeper package brings it)" >&2; exit 1; }
"$py" -c 'import kafka' 2>/dev/null || { echo "FAIL: python3-kafka not found" >&2; exit 1; }

dir="$(mktemp -d)"
pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for f in broker.log zookeeper.log burrow.stdout; do
      [ -s "$dir/$f" ] && { echo "--- $f (last 30 lines)" >&2; tail -n 30 "$dir/$f" >&2; }
    done
    if [ -s "$dir/burrow.log" ]; then
      echo "--- burrow.log: what it read from __consumer_offsets (last 40)" >&2
      grep -E '"msg":"(consumer offset|failed to decode|dropped)"' "$dir/burrow.log" |
        grep -v '"topic":"__' | tail -n 40 >&2 || true
      echo "--- burrow.log: info and above (last 30)" >&2
      grep -v '"level":"debug"' "$dir/burrow.log" | tail -n 30 >&2 || true
    fi
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
# Every wait below shares one budget, well inside ctest's TIMEOUT (300 s), so that a failure
# still ends through cleanup.
budget_end=$((SECONDS + 230))

zk_port="$(free_port)"
kafka_port="$(free_port)"
http_port="$(free_port)"
bootstrap="127.0.0.1:$kafka_port"
cluster=sluice
topic=burrow-topic
group=burrow-group

# ZooKeeper, standalone, for Burrow alone.
mkdir -p "$dir/zk"
cat >"$dir/zoo.cfg" <<EOF
tickTime=2000
dataDir=$dir/zk
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
EOF
java -Xmx128m -cp "$zkjar:/usr/share/java/slf4j-simple.jar" \
  org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" >"$dir/zookeeper.log" 2>&1 &
pids+=($!)

"$bin" --listen "$bootstrap" --data-dir "$dir/data" --set log.level=warn >"$dir/broker.log" 2>&1 &
pids+=($!)
wait_port "$kafka_port" sluice-broker
wait_port "$zk_port" ZooKeeper

# kafka-python helpers: create the topic, produce to a partition, commit a group's offsets as a
# subscribed member (JoinGroup, SyncGroup, OffsetCommit with its generation).
kp() {
  "$py" - "$bootstrap" "$@" <<'EOF'
import sys, time
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata
bootstrap, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if cmd == "create":
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="burrow-test-admin")
    admin.create_topics([NewTopic(args[0], int(args[1]), 1)])
    admin.close()
elif cmd == "produce":  # topic partition count
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", client_id="burrow-test-producer")
    for i in range(int(args[2])):
        p.send(args[0], value=b"v%d" % i, partition=int(args[1])).get(30)
    p.close()
elif cmd == "commit":  # group topic offset-of-partition-0 offset-of-partition-1 ...
    group, topic, offsets = args[0], args[1], [int(a) for a in args[2:]]
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id="burrow-test-member",
                      enable_auto_commit=False, auto_offset_reset="earliest")
    c.subscribe([topic])
    want = {TopicPartition(topic, p) for p in range(len(offsets))}
    deadline = time.time() + 60
    while c.assignment() != want:
        if time.time() > deadline:
            sys.exit("FAIL: %s was not assigned %s: %s" % (group, want, c.assignment()))
        c.poll(timeout_ms=200, max_records=1)
    c.commit({TopicPartition(topic, p): OffsetAndMetadata(o, None) for p, o in enumerate(offsets)})
    got = [c.committed(TopicPartition(topic, p)) for p in range(len(offsets))]
    if got != offsets:
        sys.exit("FAIL: %s committed %s, want %s" % (group, got, offsets))
    c.close(autocommit=False)
EOF
}

kp create "$topic" 2
kp produce "$topic" 0 10
kp produce "$topic" 1 6
# A first commit, from another group, before Burrow starts: it creates __consumer_offsets (as in
# Kafka, on the first group request), which Burrow needs to exist when it starts.
kp commit burrow-warmup "$topic" 1 1

mkdir -p "$dir/burrow"
cat >"$dir/burrow/burrow.toml" <<EOF
[general]
pidfile="$dir/burrow/burrow.pid"

[logging]
filename="$dir/burrow.log"
level="debug"

[zookeeper]
servers=["127.0.0.1:$zk_port"]
timeout=6
root-path="/burrow"

[client-profile.sluice]
client-id="burrow-test"
kafka-version="2.1.0"

[cluster.$cluster]
class-name="kafka"
servers=["$bootstrap"]
client-profile="sluice"
topic-refresh=2
offset-refresh=1

[consumer.$cluster]
class-name="kafka"
cluster="$cluster"
servers=["$bootstrap"]
client-profile="sluice"
offsets-topic="__consumer_offsets"
start-latest=false

[httpserver.default]
address="127.0.0.1:$http_port"

[storage.default]
class-name="inmemory"
workers=4
intervals=10
expire-group=604800
min-distance=1

[evaluator.default]
class-name="caching"
expire-cache=1
EOF
(cd "$dir/burrow" && exec "$burrow" -config-dir "$dir/burrow" >"$dir/burrow.stdout" 2>&1) &
pids+=($!)
wait_port "$http_port" Burrow

api() {
  "$py" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "http://127.0.0.1:$http_port/v3/kafka/$cluster$1" 2>/dev/null || true
}
# Waits until the JSON answer of Burrow's path satisfies a Python expression over `j`.
wait_json() {  # path expression what
  local body=""
  while [ $SECONDS -lt $budget_end ]; do
    body="$(api "$1")"
    if [ -n "$body" ] && "$py" -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$body" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "FAIL: Burrow never reported $3; last answer of $1: ${body:-none}" >&2
  exit 1
}

# Burrow has the topic's end offsets (ListOffsets) before it can place any commit.
wait_json "/topic/$topic" "j['offsets'] == [10, 6]" "the end offsets [10, 6] of $topic"

# Lag 6 and 5.
kp commit "$group" "$topic" 4 1
# Burrow's lag per partition, against the last end offset it has, and the last commit ("end").
lag_is() {  # lag-of-partition-0 lag-of-partition-1 committed-0 committed-1
  wait_json "/consumer/$group/lag" "
[(p['topic'], p['partition'], p['end']['offset'], p['current_lag']) for p in sorted(j['status']['partitions'], key=lambda p: p['partition'])]
  == [('$topic', 0, $3, $1), ('$topic', 1, $4, $2)] and j['status']['totallag'] == $1 + $2" \
    "lag [$1 $2] with commits [$3 $4] for $group"
}
lag_is 6 5 4 1
wait_json "/consumer" "'$group' in j['consumers']" "$group among the consumers"

# More records on partition 0 and new commits: lag 3 and 0.
kp produce "$topic" 0 5
wait_json "/topic/$topic" "j['offsets'] == [15, 6]" "the end offsets [15, 6] of $topic"
lag_is 11 5 4 1
kp commit "$group" "$topic" 12 6
lag_is 3 0 12 6

# Every offset commit record was decoded (group metadata records are another matter: Burrow
# 1.2.1 knows their values v0 and v1 only, Kafka 4 writes v3).
if grep '"failed to decode"' "$dir/burrow.log" | grep -v '"message_type":"metadata"' | grep -q .; then
  echo "FAIL: Burrow could not decode offset records:" >&2
  grep '"failed to decode"' "$dir/burrow.log" | grep -v '"message_type":"metadata"' | head -20 >&2
  exit 1
fi
echo "burrow compatibility: 1 passed, 0 failed"
