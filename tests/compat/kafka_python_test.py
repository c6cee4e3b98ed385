#!/usr/bin/python3
"""Cross-client test: kafka-python (Debian's python3-kafka 2.0.2) against a sluice-broker process.

Admin (create, describe, list topics and groups), produce with every codec kafka-python has,
consume, offsets by time, a consumer group with commits read back through the admin client.
Run by Debian's /usr/bin/python3, which has the package (not a pyenv or venv interpreter).

    kafka_python_test.py <sluice-broker>
"""
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from sluice_broker import fail, run_against_broker  # this folder: the broker process


def main():
    run_against_broker(sys.argv[1], run)
    print("kafka-python compatibility: 1 passed, 0 failed")


def run(bootstrap):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-admin")
    topic = "kafka-python"
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    if topic not in admin.list_topics():
        fail("created topic not listed")

    codecs = [None, "gzip", "snappy", "lz4", "zstd"]
    start_ms = int(time.time() * 1000) - 60000
    sent = 0
    for codec in codecs:
        producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec, acks="all",
                                 linger_ms=5)
        futures = []
        for _ in range(10):
            futures.append(producer.send(topic, key=b"k%d" % sent, value=b"v%d" % sent,
                                         partition=sent % 2, timestamp_ms=start_ms + sent * 1000))
            sent += 1
        for f in futures:
            f.get(timeout=30)
        producer.close()

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10000)
    parts = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
    consumer.assign(parts)
    got = {}
    for m in consumer:
        got[m.key] = (m.value, m.partition, m.offset, m.timestamp)
        if len(got) == sent:
            break
    if len(got) != sent:
        fail("consumed %d of %d records" % (len(got), sent))
    for i in range(sent):
        value, partition, offset, ts = got[b"k%d" % i]
        if value != b"v%d" % i or partition != i % 2 or offset != i // 2 or ts != start_ms + i * 1000:
            fail("record k%d: %r" % (i, got[b"k%d" % i]))

    # Offsets by time: k4 (partition 0, offset 2) was stamped start + 4 s.
    found = consumer.offsets_for_times({parts[0]: start_ms + 4000})
    if found[parts[0]] is None or found[parts[0]].offset != 2:
        fail("offsets_for_times: %r" % found)
    ends = consumer.end_offsets(parts)
    if ends[parts[0]] != sent // 2 or ends[parts[1]] != sent // 2:
        fail("end_offsets: %r" % ends)
    consumer.close()

    # A consumer group reads everything and commits.
    group = "kafka-python-group"
    member = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                           auto_offset_reset="earliest", enable_auto_commit=False,
                           consumer_timeout_ms=20000)
    seen = 0
    for _ in member:
        seen += 1
        if seen == sent:
            break
    if seen != sent:
        fail("the group read %d of %d records" % (seen, sent))
    member.commit()
    member.close()
    committed = admin.list_consumer_group_offsets(group)
    for p in parts:
        if committed.get(p) is None or committed[p].offset != sent // 2:
            fail("committed offset of %r: %r" % (p, committed.get(p)))
    groups = [g[0] for g in admin.list_consumer_groups()]
    if group not in groups:
        fail("list_consumer_groups: %r" % groups)
    described = admin.describe_consumer_groups([group])
    if described[0].group != group:
        fail("describe_consumer_groups: %r" % described)
    admin.close()


if __name__ == "__main__":
    main()
