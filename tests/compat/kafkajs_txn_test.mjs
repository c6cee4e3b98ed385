// Cross-client test: kafkajs 2.2.4 idempotent and transactional producers against a
// sluice-broker process — commit and abort across topics, read_committed consumers (kafkajs's
// default) against read_uncommitted ones, sendOffsets moving a group's offsets only on commit,
// and fencing of an older producer with the same transactionalId.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './lib.mjs';

const bin = process.argv[2];
let broker;
let kafka;

before(async () => {
  broker = await startBroker(bin, ['--set', 'log.level=warn', '--set', 'group.initial.rebalance.delay.ms=0']);
  kafka = new Kafka({ clientId: 'sluice-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

after(async () => {
  await broker.stop();
});

async function createTopics(...topics) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * The values of `topic` (partition 0) read from the beginning with the given isolation: waits
 * for `expected` values, then half a second more so that anything extra would show up too.
 */
async function readAll(topic, readUncommitted, expected) {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${readUncommitted}`, readUncommitted, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const values = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { values.push(message.value.toString()); } });
    const deadline = Date.now() + 30000;
    while (values.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

test('idempotent producer: acknowledged once, in order', async () => {
  const topic = 'kjs-idem';
  await createTopics(topic);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < 5; i++) await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `v${i}` }] });
  await producer.disconnect();
  assert.deepEqual(await readAll(topic, true, 5), ['v0', 'v1', 'v2', 'v3', 'v4']);
});

test('transactions: commit and abort across topics; read_committed skips aborted records', async () => {
  const orders = 'kjs-orders';
  const payments = 'kjs-payments';
  await createTopics(orders, payments);
  const producer = kafka.producer({ transactionalId: 'kjs-shop', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();

  let txn = await producer.transaction();
  await txn.send({ topic: orders, messages: [{ key: 'o1', value: 'committed-o1' }] });
  await txn.send({ topic: payments, messages: [{ key: 'o1', value: 'committed-p1' }] });
  await txn.commit();

  txn = await producer.transaction();
  await txn.send({ topic: orders, messages: [{ key: 'o2', value: 'aborted-o2' }] });
  await txn.send({ topic: payments, messages: [{ key: 'o2', value: 'aborted-p2' }] });
  await txn.abort();

  txn = await producer.transaction();
  await txn.send({ topic: orders, messages: [{ key: 'o3', value: 'committed-o3' }] });
  await txn.send({ topic: payments, messages: [{ key: 'o3', value: 'committed-p3' }] });
  await txn.commit();
  await producer.disconnect();

  assert.deepEqual(await readAll(orders, false, 2), ['committed-o1', 'committed-o3']);
  assert.deepEqual(await readAll(payments, false, 2), ['committed-p1', 'committed-p3']);
  assert.deepEqual(await readAll(orders, true, 3), ['committed-o1', 'aborted-o2', 'committed-o3']);
});

test('transactions: sendOffsets commits the group offset only with the transaction', async () => {
  const topic = 'kjs-consumed';
  await createTopics(topic);
  const producer = kafka.producer({ transactionalId: 'kjs-copier', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const committed = async () => (await admin.fetchOffsets({ groupId: 'kjs-app', topics: [topic] }))[0].partitions[0].offset;
  try {
    let txn = await producer.transaction();
    await txn.sendOffsets({ consumerGroupId: 'kjs-app', topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
    await txn.commit();
    assert.equal(await committed(), '7');

    txn = await producer.transaction();
    await txn.sendOffsets({ consumerGroupId: 'kjs-app', topics: [{ topic, partitions: [{ partition: 0, offset: '9' }] }] });
    await txn.abort();
    assert.equal(await committed(), '7');
  } finally {
    await admin.disconnect();
    await producer.disconnect();
  }
});

test('transactions: a newer producer with the same transactionalId fences the older one', async () => {
  const topic = 'kjs-fence';
  await createTopics(topic);
  const older = kafka.producer({ transactionalId: 'kjs-fenced', maxInFlightRequests: 1, idempotent: true, retry: { retries: 2 } });
  await older.connect();
  const txn = await older.transaction();
  await txn.send({ topic, messages: [{ value: 'zombie' }] });

  const newer = kafka.producer({ transactionalId: 'kjs-fenced', maxInFlightRequests: 1, idempotent: true });
  await newer.connect();
  // kafkajs sends InitProducerId when the first transaction begins, not on connect.
  const next = await newer.transaction();
  await assert.rejects(txn.commit(), (e) => /epoch|fenced|producer/i.test(`${e.type} ${e.message}`));
  await next.send({ topic, messages: [{ value: 'successor' }] });
  await next.commit();
  await newer.disconnect();
  await older.disconnect().catch(() => {});
  assert.deepEqual(await readAll(topic, false, 1), ['successor']);
});
