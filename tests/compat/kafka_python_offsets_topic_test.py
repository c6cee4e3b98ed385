#!/usr/bin/python3
"""Cross-client test: what tools read from __consumer_offsets is Kafka's own record format.

kafka-python (Debian's python3-kafka 2.0.2) runs a consumer group that commits offsets with
metadata, then a plain consumer reads __consumer_offsets from the beginning — as Burrow and
other lag monitors do — and decodes every record with the decoder below, written from Kafka's
schemas (OffsetCommitKey/Value, GroupMetadataKey/Value; kafka-python has none of its own). The
members' subscription and assignment bytes are decoded by kafka-python's own consumer-protocol
structs. Then the group leaves and is deleted, and the tombstones must be there.

    kafka_python_offsets_topic_test.py <sluice-broker>
"""
import struct
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.coordinator.protocol import ConsumerProtocolMemberAssignment, ConsumerProtocolMemberMetadata
from kafka.structs import OffsetAndMetadata

from sluice_broker import fail, run_against_broker  # this folder: the broker process

OFFSETS = "__consumer_offsets"


# ---- Kafka's __consumer_offsets format, from the schemas -------------------------------------

class Reader:
    def __init__(self, data, flexible=False):
        self.data = data
        self.pos = 0
        self.flexible = flexible

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("short record")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def int64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        value, shift = 0, 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def length(self, nullable):
        n = self.uvarint() - 1 if self.flexible else self.int16()
        if n < 0 and not nullable:
            raise ValueError("null where the schema has none")
        return n

    def string(self, nullable=False):
        n = self.length(nullable)
        return None if n < 0 else self.take(n).decode("utf-8")

    def bytes_(self):
        n = self.uvarint() - 1 if self.flexible else self.int32()
        if n < 0:
            raise ValueError("null bytes")
        return self.take(n)

    def array_length(self):
        n = self.uvarint() - 1 if self.flexible else self.int32()
        if n < 0:
            raise ValueError("null array")
        return n

    def tags(self):
        if self.flexible:
            for _ in range(self.uvarint()):
                self.uvarint()
                self.take(self.uvarint())

    def end(self):
        if self.pos != len(self.data):
            raise ValueError("%d trailing bytes" % (len(self.data) - self.pos))


def decode_key(data):
    r = Reader(data)
    kind = r.int16()
    if kind in (0, 1):
        key = ("offset", r.string(), r.string(), r.int32())
    elif kind == 2:
        key = ("group", r.string())
    else:
        raise ValueError("record type %d" % kind)
    r.end()
    return kind, key


def decode_offset_value(data):
    version = struct.unpack(">h", data[:2])[0]
    if not 0 <= version <= 4:
        raise ValueError("OffsetCommitValue v%d" % version)
    r = Reader(data, flexible=version >= 4)
    r.pos = 2
    v = {"version": version, "offset": r.int64(), "leader_epoch": -1}
    if version >= 3:
        v["leader_epoch"] = r.int32()
    v["metadata"] = r.string()
    v["commit_timestamp"] = r.int64()
    if version == 1:
        v["expire_timestamp"] = r.int64()
    r.tags()
    r.end()
    return v


def decode_group_value(data):
    version = struct.unpack(">h", data[:2])[0]
    if not 0 <= version <= 4:
        raise ValueError("GroupMetadataValue v%d" % version)
    r = Reader(data, flexible=version >= 4)
    r.pos = 2
    v = {"version": version, "protocol_type": r.string(), "generation": r.int32(),
         "protocol": r.string(nullable=True), "leader": r.string(nullable=True), "members": []}
    if version >= 2:
        v["current_state_timestamp"] = r.int64()
    for _ in range(r.array_length()):
        m = {"member_id": r.string()}
        if version >= 3:
            m["group_instance_id"] = r.string(nullable=True)
        m["client_id"] = r.string()
        m["client_host"] = r.string()
        if version >= 1:
            m["rebalance_timeout"] = r.int32()
        m["session_timeout"] = r.int32()
        m["subscription"] = r.bytes_()
        m["assignment"] = r.bytes_()
        r.tags()
        v["members"].append(m)
    r.tags()
    r.end()
    return v


def read_offsets_topic(bootstrap, start=None):
    """Every record of __consumer_offsets (from `start`, per partition, or the beginning),
    decoded: a list of (partition, offset, key type, key, value or None); and the end offsets."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    parts = [TopicPartition(OFFSETS, p) for p in sorted(consumer.partitions_for_topic(OFFSETS))]
    consumer.assign(parts)
    ends = consumer.end_offsets(parts)
    for tp in parts:
        consumer.seek(tp, start[tp] if start else consumer.beginning_offsets([tp])[tp])
    out = []
    deadline = time.time() + 30
    while any(consumer.position(tp) < ends[tp] for tp in parts):
        if time.time() > deadline:
            fail("__consumer_offsets not read to its end: %r" % ends)
        for tp, records in consumer.poll(timeout_ms=1000).items():
            for m in records:
                if m.key is None:
                    fail("%s-%d offset %d: a record without a key" % (OFFSETS, tp.partition, m.offset))
                try:
                    kind, key = decode_key(m.key)
                    value = None
                    if m.value is not None:
                        value = decode_offset_value(m.value) if key[0] == "offset" else decode_group_value(m.value)
                except ValueError as e:
                    fail("%s-%d offset %d is not Kafka's format: %s (key %s, value %s)" % (
                        OFFSETS, tp.partition, m.offset, e, m.key.hex(), (m.value or b"").hex()))
                out.append((tp.partition, m.offset, kind, key, value))
    consumer.close()
    return out, ends


def latest(records):
    """The newest value per key, as compaction keeps it (None = tombstone)."""
    state = {}
    for _, _, _, key, value in records:
        state[key] = value
    return state


# ---- the test ---------------------------------------------------------------------------------

def run(bootstrap):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="offsets-topic-admin")
    topic = "offsets-topic-check"
    group = "offsets-topic-group"
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(6):
        producer.send(topic, value=b"v%d" % i, partition=i % 2).get(timeout=30)
    producer.close()

    before_commit_ms = int(time.time() * 1000)
    member = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id="kp-member",
                           auto_offset_reset="earliest", enable_auto_commit=False,
                           consumer_timeout_ms=20000)
    seen = 0
    for _ in member:
        seen += 1
        if seen == 6:
            break
    if seen != 6:
        fail("the group read %d of 6 records" % seen)
    member.commit({TopicPartition(topic, 0): OffsetAndMetadata(3, "meta-0"),
                   TopicPartition(topic, 1): OffsetAndMetadata(3, "meta-1")})

    # While the member is in the group: offsets and group metadata as Kafka writes them.
    records, ends = read_offsets_topic(bootstrap)
    state = latest(records)
    for p in (0, 1):
        key = ("offset", group, topic, p)
        v = state.get(key)
        if v is None:
            fail("no OffsetCommit record for %r: %r" % (key, state.keys()))
        kinds = [k for _, _, k, kk, _ in records if kk == key]
        if set(kinds) != {1}:
            fail("offset commit keys must be record type 1 (as Kafka writes them): %r" % kinds)
        if v["version"] != 3 or v["offset"] != 3 or v["metadata"] != "meta-%d" % p:
            fail("OffsetCommitValue of %r: %r" % (key, v))
        if not before_commit_ms - 5000 <= v["commit_timestamp"] <= int(time.time() * 1000) + 5000:
            fail("commit timestamp of %r: %r" % (key, v))
    g = state.get(("group", group))
    if g is None:
        fail("no GroupMetadata record for %s" % group)
    if g["version"] != 3 or g["protocol_type"] != "consumer" or g["generation"] < 1:
        fail("GroupMetadataValue: %r" % g)
    if g["protocol"] not in ("range", "roundrobin") or len(g["members"]) != 1:
        fail("GroupMetadataValue protocol or members: %r" % g)
    m = g["members"][0]
    if g["leader"] != m["member_id"] or m["client_id"] != "kp-member" or not m["client_host"].startswith("/"):
        fail("GroupMetadataValue member: %r" % m)
    if m["session_timeout"] != 10000 or m["rebalance_timeout"] != 300000 or m["group_instance_id"] is not None:
        fail("GroupMetadataValue member timeouts: %r" % m)
    subscription = ConsumerProtocolMemberMetadata.decode(m["subscription"])
    if list(subscription.subscription) != [topic]:
        fail("subscription: %r" % (subscription,))
    assignment = ConsumerProtocolMemberAssignment.decode(m["assignment"])
    if [(t, sorted(ps)) for t, ps in assignment.assignment] != [(topic, [0, 1])]:
        fail("assignment: %r" % (assignment,))

    # The member leaves, the group is deleted: an Empty group record, then tombstones.
    member.close()
    deadline = time.time() + 20
    while True:
        described = admin.describe_consumer_groups([group])[0]
        if described.state == "Empty":
            break
        if time.time() > deadline:
            fail("the group did not become Empty: %r" % (described,))
        time.sleep(0.2)
    results = admin.delete_consumer_groups([group])
    if [e for _, e in results if e.errno != 0]:
        fail("delete_consumer_groups: %r" % results)
    after, _ = read_offsets_topic(bootstrap, start=ends)
    group_values = [v for _, _, _, k, v in after if k == ("group", group)]
    if not group_values or group_values[-1] is not None:
        fail("no group tombstone after DeleteGroups: %r" % group_values)
    if not any(v is not None and v["members"] == [] and v["protocol"] is None for v in group_values[:-1]):
        fail("no Empty GroupMetadataValue after the member left: %r" % group_values)
    for p in (0, 1):
        if latest(after).get(("offset", group, topic, p), "missing") is not None:
            fail("no offset tombstone for partition %d" % p)
    admin.close()
    print("decoded %d + %d records of %s" % (len(records), len(after), OFFSETS))


def main():
    run_against_broker(sys.argv[1], run, ["group.initial.rebalance.delay.ms=0"])
    print("kafka-python __consumer_offsets format: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
