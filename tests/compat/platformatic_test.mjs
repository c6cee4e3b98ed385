// Cross-client test: @platformatic/kafka 1.35.0 against a sluice-broker process. The client
// negotiates the highest version it implements, which are Kafka 4's flexible versions (Metadata
// v12, Produce v11, Fetch v17 by topic id, ListOffsets v9, JoinGroup v9, SyncGroup v5, OffsetCommit
// and OffsetFetch v9, FindCoordinator v6 batched, InitProducerId v5, AddPartitionsToTxn v5 batched,
// EndTxn v4, TxnOffsetCommit v4, ...); the last test checks that those were the versions used.
// Covered: admin topics (ids, partitions, configs), produce with every codec the client has on
// Node 20 (zstd needs Node 22's zlib), acks=0, the refusals' KIP-467 answers, the idempotent
// producer, ListOffsets by timestamp and a read from an offset found by time, Fetch's watermarks,
// last stable offset, aborted transactions and errors, transactions (commit, abort, offsets sent
// with the transaction, fencing) read back with read_committed, a two-member group with commits
// and a resume after restart, static membership, and the admin group calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import {
  Admin, Consumer, Producer, ProduceAcks, FetchIsolationLevels, ListOffsetTimestamps,
  ConfigResourceTypes, protocolAPIsById, stringSerializers, stringDeserializers,
} from '@platformatic/kafka';
import { startBroker } from './lib.mjs';

const bin = process.argv[2];
let broker;

// Every request the clients send, as "Api" -> Set of versions, from the client's own diagnostics.
const sent = new Map();
diagnostics.subscribe('tracing:plt:kafka:connections:api:start', ({ apiKey, apiVersion }) => {
  const name = protocolAPIsById[apiKey];
  if (!sent.has(name)) sent.set(name, new Set());
  sent.get(name).add(apiVersion);
});

before(async () => {
  broker = await startBroker(bin, ['--set', 'log.level=warn', '--set', 'group.initial.rebalance.delay.ms=0']);
});

after(async () => {
  await broker.stop();
});

const common = () => ({ bootstrapBrokers: [broker.bootstrap], retryDelay: 200 });
// Short group timeouts keep rebalances quick; a short fetch wait keeps closes quick.
const groupOptions = { sessionTimeout: 10000, rebalanceTimeout: 15000, heartbeatInterval: 500, maxWaitTime: 200 };

// Admin calls retry retriable errors (UNSTABLE_OFFSET_COMMIT while a transaction completes, say).
const newAdmin = () => new Admin({ clientId: 'plt-admin', ...common(), retries: 5 });

async function withAdmin(fn) {
  const admin = newAdmin();
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

async function createTopic(name, partitions) {
  await withAdmin((admin) => admin.createTopics({ topics: [name], partitions, replicas: 1 }));
}

async function withProducer(options, fn) {
  // (An idempotent producer retries without bound unless told otherwise.)
  const producer = new Producer({ clientId: 'plt-producer', ...common(), retries: 10, serializers: stringSerializers, ...options });
  try {
    return await fn(producer);
  } finally {
    await producer.close();
  }
}

const produce = (messages, options = {}) => withProducer(options, (p) => p.send({ messages }));

/** Resolves when `predicate()` holds, polling every 50 ms; rejects after `ms`. */
async function waitFor(predicate, ms = 30000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A stuck test fails on its own instead of hanging the run (the whole file takes ~15 s).
const T = { timeout: 60000 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const plain = (m) => ({
  partition: m.partition, offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null,
  headers: Object.fromEntries(m.headers),
});

/** A consumer whose errors (stream, client and heartbeat) are collected rather than thrown. */
function newConsumer(options) {
  const consumer = new Consumer({ ...common(), deserializers: stringDeserializers, ...groupOptions, ...options });
  consumer.errors = [];
  consumer.on('error', (e) => consumer.errors.push(e));
  return consumer;
}

/** Starts consuming; received messages (made plain) collect in `stream.received`. */
async function startStream(consumer, options) {
  const stream = await consumer.consume(options);
  stream.received = [];
  stream.raw = [];
  stream.on('data', (m) => {
    stream.raw.push(m);
    stream.received.push(plain(m));
  });
  stream.on('error', (e) => consumer.errors.push(e));
  return stream;
}

async function stop(consumer, stream) {
  if (stream) await stream.close();
  await consumer.close();
}

/**
 * The records of `topic` read from the beginning by a fresh group with the given isolation
 * level: waits for `expected` records, then half a second more so that anything extra shows up.
 */
async function readAll(topic, expected, isolationLevel = FetchIsolationLevels.READ_COMMITTED) {
  const consumer = newConsumer({ clientId: 'plt-reader', groupId: `reader-${topic}-${isolationLevel}-${Date.now()}`, isolationLevel });
  let stream;
  try {
    stream = await startStream(consumer, { topics: [topic], mode: 'earliest', autocommit: false });
    await waitFor(() => stream.received.length >= expected, 30000, `${expected} records of ${topic}`);
    await sleep(500);
  } finally {
    await stop(consumer, stream);
  }
  assert.deepEqual(consumer.errors, []);
  return stream.received.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Committed offsets of `groupId` for `topic`'s partitions 0..n-1, as numbers (stable read). */
async function committed(admin, groupId, topic, n) {
  const [group] = await admin.listConsumerGroupOffsets({
    groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [...Array(n).keys()] }] }], requireStable: true,
  });
  assert.equal(group.groupId, groupId);
  const t = group.topics.find((x) => x.name === topic);
  return [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => Number(p.committedOffset));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('admin: create (with configs), metadata with topic ids, partitions, configs, delete', T, async () => {
  await withAdmin(async (admin) => {
    const [created] = await admin.createTopics({
      topics: ['plt-admin'], partitions: 3, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }],
    });
    assert.equal(created.name, 'plt-admin');
    assert.equal(created.partitions, 3);
    assert.equal(created.replicas, 1);
    assert.match(created.id, UUID);
    assert.notEqual(created.id, '00000000-0000-0000-0000-000000000000');
    assert.equal(created.configuration['retention.ms'], '3600000');
    assert.equal(created.configuration['cleanup.policy'], 'delete');

    await assert.rejects(admin.createTopics({ topics: ['plt-admin'], partitions: 1, replicas: 1 }),
      (e) => e.findBy?.('apiId', 'TOPIC_ALREADY_EXISTS') != null);

    let md = await admin.metadata({ topics: ['plt-admin'], forceUpdate: true });
    assert.equal(md.brokers.size, 1);
    const [[nodeId, node]] = md.brokers;
    assert.equal(`${node.host}:${node.port}`, broker.bootstrap);
    assert.equal(md.controllerId, nodeId);
    const t = md.topics.get('plt-admin');
    assert.equal(t.id, created.id);
    assert.equal(t.partitionsCount, 3);
    for (const p of t.partitions) {
      assert.equal(p.leader, nodeId);
      assert.deepEqual(p.replicas, [nodeId]);
      assert.deepEqual(p.isr, [nodeId]);
      assert.deepEqual(p.offlineReplicas, []);
    }
    assert.ok((await admin.listTopics()).includes('plt-admin'));

    await admin.createPartitions({ topics: [{ name: 'plt-admin', count: 5 }] });
    md = await admin.metadata({ topics: ['plt-admin'], forceUpdate: true });
    assert.equal(md.topics.get('plt-admin').partitionsCount, 5);
    assert.equal(md.topics.get('plt-admin').id, created.id);
    await assert.rejects(admin.createPartitions({ topics: [{ name: 'plt-admin', count: 2 }] }),
      (e) => e.findBy?.('apiId', 'INVALID_PARTITIONS') != null);

    const describe = async (keys) => {
      const [res] = await admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-admin', configurationKeys: keys }],
        includeSynonyms: true, includeDocumentation: true,
      });
      assert.equal(res.resourceType, ConfigResourceTypes.TOPIC);
      assert.equal(res.resourceName, 'plt-admin');
      return Object.fromEntries(res.configs.map((c) => [c.name, c]));
    };
    let d = await describe(['retention.ms', 'cleanup.policy']);
    assert.deepEqual(Object.keys(d).sort(), ['cleanup.policy', 'retention.ms']);
    assert.equal(d['retention.ms'].value, '3600000');
    assert.equal(d['retention.ms'].configSource, 1); // DYNAMIC_TOPIC_CONFIG
    assert.equal(d['retention.ms'].configType, 5); // LONG
    assert.deepEqual(d['retention.ms'].synonyms.map((s) => [s.name, s.value, s.source]),
      [['retention.ms', '3600000', 1], ['log.retention.ms', '604800000', 5]]);
    assert.equal(d['cleanup.policy'].value, 'delete');
    assert.equal(d['cleanup.policy'].configSource, 5); // DEFAULT_CONFIG
    assert.equal(d['cleanup.policy'].configType, 7); // LIST
    assert.equal(d['cleanup.policy'].readOnly, false);
    assert.equal(d['cleanup.policy'].isSensitive, false);
    assert.equal(typeof d['cleanup.policy'].documentation, 'string');
    assert.ok(d['cleanup.policy'].documentation.length > 0);

    // AlterConfigs replaces the topic's whole set: retention.ms falls back to the default.
    await admin.alterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-admin', configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    d = await describe(['retention.ms', 'cleanup.policy']);
    assert.equal(d['cleanup.policy'].value, 'compact');
    assert.equal(d['cleanup.policy'].configSource, 1);
    assert.equal(d['retention.ms'].value, '604800000');
    assert.equal(d['retention.ms'].configSource, 5);

    await admin.deleteTopics({ topics: ['plt-admin'] });
    assert.ok(!(await admin.listTopics()).includes('plt-admin'));
    await assert.rejects(admin.metadata({ topics: ['plt-admin'], forceUpdate: true }), /Unknown topic plt-admin/);
  });
});

test('produce with every codec and acks=0; records, keys and headers read back', T, async () => {
  const topic = 'plt-codecs';
  await createTopic(topic, 1);
  // zstd: the client compresses with node:zlib's zstd, which Node 20 lacks.
  const codecs = ['none', 'gzip', 'snappy', 'lz4'];
  const expected = [];
  await withProducer({}, async (producer) => {
    for (const [i, compression] of codecs.entries()) {
      const messages = [];
      for (let j = 0; j < 3; j++) {
        messages.push({ topic, key: `${compression}-k${j}`, value: `${compression}-value-${j}-`.repeat(20), headers: { codec: compression, n: `${j}` } });
        expected.push({ partition: 0, offset: i * 3 + j, key: `${compression}-k${j}`, value: `${compression}-value-${j}-`.repeat(20), headers: { codec: compression, n: `${j}` } });
      }
      const res = await producer.send({ messages, compression });
      assert.deepEqual(res.offsets, [{ topic, partition: 0, offset: BigInt(i * 3) }]);
    }
    // A record with neither key nor value (null both).
    await producer.send({ messages: [{ topic, headers: { tombstone: 'yes' } }] });
    expected.push({ partition: 0, offset: 12, key: null, value: null, headers: { tombstone: 'yes' } });
    // acks=0: no response; the record still lands, after the others on this connection.
    const res = await producer.send({ messages: [{ topic, key: 'fire', value: 'and-forget' }], acks: ProduceAcks.NO_RESPONSE });
    assert.deepEqual(res.unwritableNodes, []);
    expected.push({ partition: 0, offset: 13, key: 'fire', value: 'and-forget', headers: {} });
  });
  assert.deepEqual(await readAll(topic, expected.length), expected);
});

test('produce errors at v11: a keyless record in a compacted topic, a batch over max.message.bytes', T, async () => {
  const topic = 'plt-refusals';
  await withAdmin((admin) => admin.createTopics({
    topics: [topic], partitions: 1, replicas: 1,
    configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'max.message.bytes', value: '2000' }],
  }));
  /** The partition's answer in the Produce response the error carries. */
  const answer = (e) => e.findBy?.('code', 'PLT_KFK_RESPONSE')?.response?.responses?.[0]?.partitionResponses?.[0];
  await withProducer({ retries: 0 }, async (producer) => {
    // Kafka (LogValidator.validateKey, KIP-467): INVALID_RECORD, naming the record by batch index.
    let refusal;
    await assert.rejects(producer.send({ messages: [{ topic, value: 'no key' }] }), (e) => { refusal = e; return true; });
    const keyless = answer(refusal);
    assert.equal(keyless?.errorCode, 87, `INVALID_RECORD expected, got ${JSON.stringify(keyless, (k, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    assert.equal(keyless.baseOffset, -1n);
    assert.deepEqual(keyless.recordErrors.map((r) => r.batchIndex), [0]);
    assert.equal(typeof keyless.recordErrors[0].batchIndexErrorMessage, 'string');

    await assert.rejects(producer.send({ messages: [{ topic, key: 'big', value: 'x'.repeat(5000) }] }), (e) => { refusal = e; return true; });
    const big = answer(refusal);
    assert.equal(big?.errorCode, 10); // MESSAGE_TOO_LARGE
    assert.equal(big.baseOffset, -1n);
    assert.deepEqual(big.recordErrors, []);

    // Neither refused batch took an offset.
    const res = await producer.send({ messages: [{ topic, key: 'k', value: 'fits' }] });
    assert.deepEqual(res.offsets, [{ topic, partition: 0, offset: 0n }]);
  });
});

test('idempotent producer: one producer id, sequences per partition, every record once', T, async () => {
  const topic = 'plt-idempotent';
  await createTopic(topic, 2);
  await withProducer({ idempotent: true }, async (producer) => {
    for (let i = 0; i < 4; i++) {
      const res = await producer.send({ messages: [{ topic, partition: 0, value: `a${i}` }, { topic, partition: 1, value: `b${i}` }] });
      assert.deepEqual(res.offsets.sort((x, y) => x.partition - y.partition),
        [{ topic, partition: 0, offset: BigInt(i) }, { topic, partition: 1, offset: BigInt(i) }]);
    }
    assert.equal(typeof producer.producerId, 'bigint');
    assert.ok(producer.producerId >= 0n);
    assert.equal(producer.producerEpoch, 0);
  });
  const got = await readAll(topic, 8, FetchIsolationLevels.READ_UNCOMMITTED);
  assert.deepEqual(got.map((m) => [m.partition, m.offset, m.value]), [
    [0, 0, 'a0'], [0, 1, 'a1'], [0, 2, 'a2'], [0, 3, 'a3'], [1, 0, 'b0'], [1, 1, 'b1'], [1, 2, 'b2'], [1, 3, 'b3'],
  ]);
});

test('ListOffsets by timestamp, earliest, latest, max timestamp; a read from the offset found by time', T, async () => {
  const topic = 'plt-times';
  await createTopic(topic, 1);
  const t0 = BigInt(Date.now()) - 600_000n;
  await produce([0, 1, 2, 3, 4, 5].map((i) => ({ topic, value: `t${i}`, timestamp: t0 + BigInt(i) * 1000n })));

  await withAdmin(async (admin) => {
    const ask = async (timestamp) => {
      const [res] = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }] });
      assert.equal(res.name, topic);
      const [p] = res.partitions;
      assert.equal(p.partitionIndex, 0);
      return [p.offset, p.timestamp];
    };
    assert.deepEqual(await ask(t0 + 2500n), [3n, t0 + 3000n]);
    assert.deepEqual(await ask(t0 + 3000n), [3n, t0 + 3000n]);
    assert.deepEqual(await ask(t0 - 1n), [0n, t0]);
    assert.deepEqual(await ask(t0 + 5001n), [-1n, -1n]);
    assert.deepEqual(await ask(ListOffsetTimestamps.EARLIEST), [0n, -1n]);
    assert.deepEqual(await ask(ListOffsetTimestamps.LATEST), [6n, -1n]);
    assert.deepEqual(await ask(-3n), [5n, t0 + 5000n]); // MAX_TIMESTAMP (ListOffsets v7+)
  });

  const consumer = newConsumer({ clientId: 'plt-seek', groupId: 'plt-seek' });
  let stream;
  try {
    const byTime = await consumer.listOffsetsWithTimestamps({ topics: [topic], timestamp: t0 + 3500n });
    assert.deepEqual([...byTime.get(topic)], [[0, { offset: 4n, timestamp: t0 + 4000n }]]);
    stream = await startStream(consumer, { topics: [topic], mode: 'manual', offsets: [{ topic, partition: 0, offset: 4n }], autocommit: false });
    await waitFor(() => stream.received.length >= 2, 30000, 'the records from offset 4');
    await sleep(300);
    assert.deepEqual(stream.raw.map((m) => [Number(m.offset), m.value, m.timestamp]), [[4, 't4', t0 + 4000n], [5, 't5', t0 + 5000n]]);
  } finally {
    await stop(consumer, stream);
  }
  assert.deepEqual(consumer.errors, []);
});

test('transactions: commit and abort across topics; read_committed sees only committed records', T, async () => {
  const orders = 'plt-orders';
  const payments = 'plt-payments';
  await createTopic(orders, 1);
  await createTopic(payments, 1);
  await withProducer({ idempotent: true, transactionalId: 'plt-shop' }, async (producer) => {
    const run = async (tag, end) => {
      const txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic: orders, key: tag, value: `${end}-o-${tag}` }] });
      await txn.send({ messages: [{ topic: payments, key: tag, value: `${end}-p-${tag}` }] });
      await (end === 'committed' ? txn.commit() : txn.abort());
    };
    await run('1', 'committed');
    await run('2', 'aborted');
    await run('3', 'committed');
  });
  const values = (records) => records.map((m) => m.value);
  assert.deepEqual(values(await readAll(orders, 2)), ['committed-o-1', 'committed-o-3']);
  assert.deepEqual(values(await readAll(payments, 2)), ['committed-p-1', 'committed-p-3']);
  assert.deepEqual(values(await readAll(orders, 3, FetchIsolationLevels.READ_UNCOMMITTED)),
    ['committed-o-1', 'aborted-o-2', 'committed-o-3']);
  // Data, commit marker, data, abort marker, data, commit marker. With a transaction open,
  // read_committed's latest offset is the last stable offset, where that transaction starts.
  await withAdmin(async (admin) => {
    const latest = async (isolationLevel) => {
      const [res] = await admin.listOffsets({ topics: [{ name: orders, partitions: [{ partitionIndex: 0, timestamp: -1n }] }], isolationLevel });
      return res.partitions[0].offset;
    };
    assert.equal(await latest(FetchIsolationLevels.READ_UNCOMMITTED), 6n);
    assert.equal(await latest(FetchIsolationLevels.READ_COMMITTED), 6n);
    await withProducer({ idempotent: true, transactionalId: 'plt-shop' }, async (producer) => {
      // A new instance of the transactional id: see the fencing test for the -1s.
      const txn = await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
      await txn.send({ messages: [{ topic: orders, key: '4', value: 'committed-o-4' }] });
      assert.equal(await latest(FetchIsolationLevels.READ_UNCOMMITTED), 7n);
      assert.equal(await latest(FetchIsolationLevels.READ_COMMITTED), 6n);
      await txn.commit();
    });
    await waitFor(async () => await latest(FetchIsolationLevels.READ_COMMITTED) === 8n, 10000, 'the last stable offset past the commit marker');
    assert.equal(await latest(FetchIsolationLevels.READ_UNCOMMITTED), 8n);
  });
  assert.deepEqual(values(await readAll(orders, 3)), ['committed-o-1', 'committed-o-3', 'committed-o-4']);
});

test('Fetch v17 by topic id: watermarks, last stable offset, aborted transactions, errors', T, async () => {
  const topic = 'plt-fetch';
  await createTopic(topic, 1);
  await produce([0, 1, 2].map((i) => ({ topic, value: `plain-${i}` })));
  const consumer = newConsumer({ clientId: 'plt-fetcher', groupId: 'plt-fetcher' });
  try {
    const md = await consumer.metadata({ topics: [topic] });
    const node = [...md.brokers.keys()][0];
    const topicId = md.topics.get(topic).id;
    const fetch = async (isolationLevel, fetchOffset = 0n, id = topicId) => {
      const res = await consumer.fetch({
        node, isolationLevel, maxWaitTime: 10,
        topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
      });
      assert.equal(res.errorCode, 0);
      assert.deepEqual(res.responses.map((r) => r.topicId), [id]);
      const [p] = res.responses[0].partitions;
      assert.equal(p.partitionIndex, 0);
      return p;
    };
    // [offset, value] of the data records; control batches as ['control', offset].
    const contents = (p) => (p.records ?? []).flatMap((b) => ((b.attributes & 0x20)
      ? [['control', Number(b.firstOffset)]]
      : b.records.map((r) => [Number(b.firstOffset) + r.offsetDelta, r.value?.toString()])));

    await withProducer({ idempotent: true, transactionalId: 'plt-fetch-txn' }, async (producer) => {
      const aborted = await producer.beginTransaction();
      await aborted.send({ messages: [{ topic, value: 'aborted-3' }, { topic, value: 'aborted-4' }] });
      await aborted.abort(); // marker at 5
      const open = await producer.beginTransaction();
      await open.send({ messages: [{ topic, value: 'open-6' }] });
      const pid = producer.producerId;

      let p = await fetch(FetchIsolationLevels.READ_COMMITTED);
      assert.deepEqual([p.highWatermark, p.lastStableOffset, p.logStartOffset], [7n, 6n, 0n]);
      assert.deepEqual(p.abortedTransactions, [{ producerId: pid, firstOffset: 3n }]);
      // The client drops the aborted records itself; nothing at or past the last stable offset.
      assert.deepEqual(contents(p), [[0, 'plain-0'], [1, 'plain-1'], [2, 'plain-2'], ['control', 5]]);

      p = await fetch(FetchIsolationLevels.READ_UNCOMMITTED);
      assert.deepEqual([p.highWatermark, p.lastStableOffset, p.logStartOffset], [7n, 6n, 0n]);
      assert.deepEqual(p.abortedTransactions ?? [], []);
      assert.deepEqual(contents(p), [[0, 'plain-0'], [1, 'plain-1'], [2, 'plain-2'], [3, 'aborted-3'], [4, 'aborted-4'], ['control', 5], [6, 'open-6']]);

      await open.commit(); // marker at 7
    });
    await waitFor(async () => (await fetch(FetchIsolationLevels.READ_COMMITTED, 6n)).lastStableOffset === 8n, 10000, 'the last stable offset past the commit');
    const p = await fetch(FetchIsolationLevels.READ_COMMITTED, 6n);
    assert.equal(p.highWatermark, 8n);
    assert.deepEqual(contents(p), [[6, 'open-6'], ['control', 7]]);

    const refused = async (fetchOffset, id, code) => {
      let error;
      await assert.rejects(fetch(FetchIsolationLevels.READ_UNCOMMITTED, fetchOffset, id), (e) => { error = e; return true; });
      const partition = error.findBy?.('code', 'PLT_KFK_RESPONSE')?.response?.responses?.[0]?.partitions?.[0];
      assert.equal(partition?.errorCode, code, String(error));
    };
    await refused(100n, topicId, 1); // OFFSET_OUT_OF_RANGE
    await refused(0n, '0f0e0d0c-0b0a-4908-8706-050403020100', 100); // UNKNOWN_TOPIC_ID
  } finally {
    await consumer.close();
  }
});

test('transactions: consumed offsets commit with the transaction, not with an abort', T, async () => {
  const input = 'plt-copy-in';
  const output = 'plt-copy-out';
  await createTopic(input, 1);
  await createTopic(output, 1);
  await produce(['a', 'b', 'c', 'd', 'e'].map((value) => ({ topic: input, value })));

  const consumer = newConsumer({ clientId: 'plt-copier', groupId: 'plt-copier' });
  let stream;
  const admin = newAdmin();
  try {
    stream = await startStream(consumer, { topics: [input], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
    await waitFor(() => stream.raw.length === 5, 30000, '5 input records');
    await withProducer({ idempotent: true, transactionalId: 'plt-copier-txn' }, async (producer) => {
      const copy = async (records, end, whilePending = async () => {}) => {
        const txn = await producer.beginTransaction();
        for (const m of records) await txn.send({ messages: [{ topic: output, value: m.value.toUpperCase() }] });
        await txn.addConsumer(consumer);
        await txn.addOffset(records[records.length - 1]);
        await whilePending();
        await (end === 'commit' ? txn.commit() : txn.abort());
      };
      // While the transaction holds an offset for the group, a stable read is refused
      // (UNSTABLE_OFFSET_COMMIT, KIP-447) and a plain read sees the last committed offset.
      const impatient = new Admin({ clientId: 'plt-admin', ...common(), retries: 0 });
      try {
        await copy(stream.raw.slice(0, 3), 'commit', async () => {
          await assert.rejects(committed(impatient, 'plt-copier', input, 1), (e) => e.findBy?.('apiId', 'UNSTABLE_OFFSET_COMMIT') != null);
          const [group] = await impatient.listConsumerGroupOffsets({ groups: [{ groupId: 'plt-copier', topics: [{ name: input, partitionIndexes: [0] }] }] });
          assert.equal(group.topics[0].partitions[0].committedOffset, -1n);
        });
      } finally {
        await impatient.close();
      }
      assert.deepEqual(await committed(admin, 'plt-copier', input, 1), [3]);
      await copy(stream.raw.slice(3, 5), 'abort');
      assert.deepEqual(await committed(admin, 'plt-copier', input, 1), [3]);
    });
  } finally {
    await stop(consumer, stream);
    await admin.close();
  }
  assert.deepEqual(consumer.errors, []);
  assert.deepEqual((await readAll(output, 3)).map((m) => m.value), ['A', 'B', 'C']);
});

test('transactions: a newer producer with the same transactional id fences the older one', T, async () => {
  const topic = 'plt-fence';
  await createTopic(topic, 1);
  await withProducer({ idempotent: true, transactionalId: 'plt-fenced', retries: 2 }, async (older) => {
    const zombie = await older.beginTransaction();
    await zombie.send({ messages: [{ topic, value: 'zombie' }] });
    await withProducer({ idempotent: true, transactionalId: 'plt-fenced', retries: 10 }, async (newer) => {
      // A new producer instance asks with no producer id and epoch (-1, -1), as Java's client
      // does. Left alone, this client sends producer id 0 and epoch 0: KIP-360's claim to be that
      // producer resuming, which Kafka (and Sluice) answer with PRODUCER_FENCED once the id has
      // another producer id or a newer epoch — the newer instance would be the one fenced.
      const next = await newer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
      assert.ok(newer.producerEpoch > older.producerEpoch || newer.producerId !== older.producerId);
      await assert.rejects(zombie.commit(), (e) => e.findBy?.('apiId', 'PRODUCER_FENCED') != null);
      await next.send({ messages: [{ topic, value: 'successor' }] });
      await next.commit();
    });
  });
  assert.deepEqual((await readAll(topic, 1)).map((m) => m.value), ['successor']);
});

test('consumer group: two members split the partitions, commit, and a restart resumes at the commits', T, async () => {
  const topic = 'plt-group';
  const groupId = 'plt-group';
  await createTopic(topic, 4);
  const batch = (from, to) => {
    const out = [];
    for (let i = from; i < to; i++) out.push({ topic, partition: i % 4, key: `k${i}`, value: `v${i}` });
    return out;
  };
  await produce(batch(0, 20));

  const admin = newAdmin();
  const a = newConsumer({ clientId: 'plt-member-a', groupId });
  const b = newConsumer({ clientId: 'plt-member-b', groupId });
  let sa;
  let sb;
  try {
    // Alone, the first member gets every partition and commits what it read.
    sa = await startStream(a, { topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    await waitFor(() => sa.received.length === 20, 30000, 'the first 20 records');
    assert.deepEqual(a.assignments, [{ topic, partitions: [0, 1, 2, 3] }]);
    await waitFor(async () => (await committed(admin, groupId, topic, 4)).join() === '5,5,5,5', 30000, 'commits at 5');

    // The second member joins: the first rejoins on its heartbeat and the partitions split.
    const firstGeneration = a.generationId;
    sb = await startStream(b, { topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    // (Each member's generation comes with its JoinGroup answer, its assignment with SyncGroup's.)
    await waitFor(() => a.generationId === b.generationId && a.generationId > firstGeneration &&
      a.assignments?.[0]?.partitions.length > 0 && b.assignments?.[0]?.partitions.length > 0 &&
      a.assignments[0].partitions.length + b.assignments[0].partitions.length === 4, 30000, 'the rebalance');
    const owned = { a: a.assignments[0].partitions, b: b.assignments[0].partitions };
    assert.deepEqual([owned.a, owned.b].map((p) => p.join()).sort(), ['0,2', '1,3']);

    const groups = await admin.describeGroups({ groups: [groupId] });
    const g = groups.get(groupId);
    assert.equal(g.state, 'STABLE');
    assert.equal(g.protocolType, 'consumer');
    assert.equal(g.protocol, 'roundrobin');
    assert.deepEqual([...g.members.keys()].sort(), [a.memberId, b.memberId].sort());
    for (const [c, parts] of [[a, owned.a], [b, owned.b]]) {
      const m = g.members.get(c.memberId);
      assert.equal(m.clientId, c.clientId);
      assert.equal(m.groupInstanceId, null);
      assert.match(m.clientHost, /127\.0\.0\.1/);
      assert.deepEqual(m.metadata.topics, [topic]);
      assert.deepEqual([...m.assignments.values()], [{ topic, partitions: parts }]);
    }
    const listed = await admin.listGroups();
    assert.deepEqual(listed.get(groupId), { id: groupId, state: 'STABLE', groupType: 'classic', protocolType: 'consumer' });
    await assert.rejects(admin.deleteGroups({ groups: [groupId] }), (e) => e.findBy?.('apiId', 'NON_EMPTY_GROUP') != null);

    // New records go to their partition's owner only, each once, from the committed offsets.
    // A fetch the first member sent before the rebalance, for all four partitions, may still be
    // waiting at the broker: the client would deliver (and auto-commit) what it returns though
    // two of those partitions moved, as it would against Kafka. Let it expire (maxWaitTime).
    await sleep(1000);
    sa.received.length = 0;
    await produce(batch(20, 40));
    await waitFor(() => sa.received.length + sb.received.length === 20, 30000, 'the next 20 records');
    await sleep(500);
    for (const [s, parts] of [[sa, owned.a], [sb, owned.b]]) {
      const want = batch(20, 40).filter((m) => parts.includes(m.partition)).map((m) => ({
        partition: m.partition, offset: Math.floor(Number(m.key.slice(1)) / 4), key: m.key, value: m.value, headers: {},
      }));
      const got = [...s.received].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
      assert.deepEqual(got, want.sort((x, y) => x.partition - y.partition || x.offset - y.offset));
    }
    await waitFor(async () => (await committed(admin, groupId, topic, 4)).join() === '10,10,10,10', 30000, 'commits at 10');

    // The first member leaves: the second rejoins on its heartbeat and takes every partition.
    const generation = b.generationId;
    await stop(a, sa);
    await waitFor(() => b.generationId > generation && b.assignments?.[0]?.partitions.length === 4, 30000, 'the rebalance after the leave');
    assert.deepEqual(b.assignments, [{ topic, partitions: [0, 1, 2, 3] }]);
    const g2 = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.deepEqual([...g2.members.keys()], [b.memberId]);
  } finally {
    await stop(a, sa);  // (closing twice is a no-op)
    await stop(b, sb);
  }
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);

  // Both left: the group is empty and keeps its offsets; a new member resumes at them.
  const c = newConsumer({ clientId: 'plt-member-c', groupId });
  let sc;
  try {
    const g = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.equal(g.state, 'EMPTY');
    assert.equal(g.members.size, 0);
    assert.deepEqual(await committed(admin, groupId, topic, 4), [10, 10, 10, 10]);
    sc = await startStream(c, { topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    await produce(batch(40, 44));
    await waitFor(() => sc.received.length >= 4, 30000, 'the 4 records after the restart');
    await sleep(500);
    assert.deepEqual(sc.received.sort((x, y) => x.partition - y.partition).map((m) => [m.partition, m.offset, m.value]),
      [[0, 10, 'v40'], [1, 10, 'v41'], [2, 10, 'v42'], [3, 10, 'v43']]);
    await waitFor(async () => (await committed(admin, groupId, topic, 4)).join() === '11,11,11,11', 30000, 'commits at 11');
  } finally {
    await stop(c, sc);
  }
  assert.deepEqual(c.errors, []);

  try {
    await admin.deleteGroups({ groups: [groupId] });
    assert.equal((await admin.listGroups()).has(groupId), false);
    const g = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.equal(g.state, 'DEAD');
    assert.equal(g.members.size, 0);
  } finally {
    await admin.close();
  }
});

test('static membership: a restarted instance takes over the member without a rebalance', T, async () => {
  const topic = 'plt-static';
  const groupId = 'plt-static';
  await createTopic(topic, 2);
  await produce([0, 1, 2, 3].map((i) => ({ topic, partition: i % 2, value: `s${i}` })));

  const admin = newAdmin();
  const first = newConsumer({ clientId: 'plt-static-1', groupId, groupInstanceId: 'plt-instance' });
  const heartbeatErrors = [];
  first.on('consumer:heartbeat:error', ({ error }) => heartbeatErrors.push(error));
  const second = newConsumer({ clientId: 'plt-static-2', groupId, groupInstanceId: 'plt-instance' });
  let s1;
  let s2;
  try {
    s1 = await startStream(first, { topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    await waitFor(() => s1.received.length === 4, 30000, 'the 4 records');
    await waitFor(async () => (await committed(admin, groupId, topic, 2)).join() === '2,2', 30000, 'commits at 2');
    let g = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.deepEqual([...g.members.values()].map((m) => [m.id, m.groupInstanceId]), [[first.memberId, 'plt-instance']]);
    const generation = first.generationId;
    const firstId = first.memberId;

    // Same instance id, new process: it replaces the member, keeps the generation and the
    // assignment; the replaced one is fenced on its next heartbeat.
    s2 = await startStream(second, { topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    assert.notEqual(second.memberId, firstId);
    assert.equal(second.generationId, generation);
    assert.deepEqual(second.assignments, [{ topic, partitions: [0, 1] }]);
    await waitFor(() => heartbeatErrors.length > 0, 10000, 'the fenced heartbeat');
    assert.ok(heartbeatErrors[0].findBy?.('apiId', 'FENCED_INSTANCE_ID') != null, String(heartbeatErrors[0]));
    g = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.equal(g.state, 'STABLE');
    assert.deepEqual([...g.members.values()].map((m) => [m.id, m.groupInstanceId, m.clientId]),
      [[second.memberId, 'plt-instance', 'plt-static-2']]);

    await stop(first, s1);  // its LeaveGroup names a member that is gone: nothing changes
    g = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    assert.deepEqual([...g.members.keys()], [second.memberId]);

    await produce([{ topic, partition: 0, value: 's4' }, { topic, partition: 1, value: 's5' }]);
    await waitFor(() => s2.received.length >= 2, 30000, 'the 2 new records');
    await sleep(300);
    assert.deepEqual(s2.received.sort((x, y) => x.partition - y.partition).map((m) => [m.partition, m.offset, m.value]),
      [[0, 2, 's4'], [1, 2, 's5']]);
  } finally {
    await stop(first, s1);  // (closing twice is a no-op)
    await stop(second, s2);
    await admin.close();
  }
  assert.deepEqual(first.errors, []);
  assert.deepEqual(second.errors, []);
});

test('admin: consumer group offsets altered, listed and deleted; an empty group deleted', T, async () => {
  const topic = 'plt-offsets';
  const groupId = 'plt-offsets-admin';
  await createTopic(topic, 2);
  await produce([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ topic, partition: i % 2, value: `o${i}` })));
  await withAdmin(async (admin) => {
    await admin.alterConsumerGroupOffsets({
      groupId, topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 3n }, { partition: 1, offset: 4n }] }],
    });
    assert.deepEqual(await committed(admin, groupId, topic, 2), [3, 4]);
    const all = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    assert.deepEqual(all.map((g) => [g.groupId, g.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset]).sort()])]),
      [[groupId, [[topic, [[0, 3n], [1, 4n]]]]]]);
    const coordinators = await admin.findCoordinator({ keyType: 0, keys: [groupId, 'another-group'] });
    assert.deepEqual(coordinators.map((c) => [c.key, `${c.host}:${c.port}`]).sort(),
      [['another-group', broker.bootstrap], [groupId, broker.bootstrap]]);

    const deleted = await admin.deleteConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionIndexes: [0] }] });
    assert.deepEqual(deleted, [{ name: topic, partitionIndexes: [0] }]);
    assert.deepEqual(await committed(admin, groupId, topic, 2), [-1, 4]);

    // DeleteRecords moves the log start offset, which ListOffsets then reports as the earliest.
    const cut = await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 2n }] }] });
    assert.deepEqual(cut, [{ name: topic, partitions: [{ partition: 0, lowWatermark: 2n }] }]);
    const [earliest] = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }, { partitionIndex: 1, timestamp: -2n }] }] });
    assert.deepEqual(earliest.partitions.map((p) => [p.partitionIndex, p.offset]).sort(), [[0, 2n], [1, 0n]]);

    assert.equal((await admin.listGroups()).get(groupId)?.state, 'EMPTY');
    await admin.deleteGroups({ groups: [groupId] });
    assert.equal((await admin.listGroups()).has(groupId), false);
    assert.deepEqual(await committed(admin, groupId, topic, 2), [-1, -1]);
  });
});

test('the client negotiated the flexible versions', T, () => {
  const versions = Object.fromEntries([...sent].map(([name, v]) => [name, [...v].sort((x, y) => x - y)]));
  console.log(`negotiated: ${JSON.stringify(versions)}`);
  // The highest version each API has in @platformatic/kafka 1.35.0 (ApiVersions is always v3).
  assert.deepEqual(versions, {
    ApiVersions: [3], Metadata: [12], CreateTopics: [7], DeleteTopics: [6], CreatePartitions: [3],
    DescribeConfigs: [4], AlterConfigs: [2], Produce: [11], Fetch: [17], ListOffsets: [9],
    FindCoordinator: [6], JoinGroup: [9], SyncGroup: [5], Heartbeat: [4], LeaveGroup: [5],
    OffsetCommit: [9], OffsetFetch: [9], InitProducerId: [5], AddPartitionsToTxn: [5],
    AddOffsetsToTxn: [4], EndTxn: [4], TxnOffsetCommit: [4], DescribeGroups: [5], ListGroups: [5],
    DeleteGroups: [2], OffsetDelete: [0], DeleteRecords: [2],
  });
});
