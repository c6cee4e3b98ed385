// Cross-client test: kafkajs 2.2.4 consumer groups against a sluice-broker process —
// subscribe + run with eachMessage and eachBatch, auto and manual commits, seek, two consumers
// splitting partitions, and the admin group calls (fetchOffsets, setOffsets, listGroups,
// describeGroups, deleteGroups).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, AssignerProtocol } from 'kafkajs';
import { startBroker, adminSession } from './lib.mjs';

const bin = process.argv[2];
let broker;
let kafka;

// Short timeouts keep rebalances quick (a fetch long-poll delays a kafkajs rejoin or disconnect
// by up to maxWaitTimeInMs); the broker starts the first join phase at once.
const consumerOptions = { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000, maxWaitTimeInMs: 500 };

before(async () => {
  broker = await startBroker(bin, ['--set', 'log.level=warn', '--set', 'group.initial.rebalance.delay.ms=0']);
  kafka = new Kafka({ clientId: 'sluice-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

after(async () => {
  await broker.stop();
});

async function createTopic(topic, numPartitions) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic, count, partitions) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < count; i++) messages.push({ key: `k${i}`, value: `v${i}`, partition: i % partitions });
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** Resolves when `predicate()` holds, polling every 50 ms; rejects after `ms`. */
async function waitFor(predicate, ms = 30000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `fn(admin)` with a connected admin client of this file's Kafka client. */
const withAdmin = (fn) => adminSession(kafka, fn);

test('eachMessage consumes every record and auto-commits the offsets', async () => {
  const topic = 'js-each-message';
  await createTopic(topic, 3);
  await produce(topic, 30, 3);
  const consumer = kafka.consumer({ groupId: 'js-each-message', ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set();
  await consumer.run({ eachMessage: async ({ partition, message }) => { seen.add(`${partition}:${message.offset}`); } });
  await waitFor(() => seen.size === 30, 30000, '30 messages');
  await consumer.disconnect();  // commits what was consumed
  const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'js-each-message', topics: [topic] }));
  assert.equal(offsets.length, 1);
  assert.equal(offsets[0].topic, topic);
  const byPartition = Object.fromEntries(offsets[0].partitions.map((p) => [p.partition, p.offset]));
  assert.deepEqual(byPartition, { 0: '10', 1: '10', 2: '10' });
});

test('eachBatch with manual resolveOffset and heartbeat', async () => {
  const topic = 'js-each-batch';
  await createTopic(topic, 2);
  await produce(topic, 20, 2);
  const consumer = kafka.consumer({ groupId: 'js-each-batch', ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let batches = 0;
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      batches++;
      for (const message of batch.messages) {
        count++;
        resolveOffset(message.offset);
      }
      await heartbeat();
    },
  });
  await waitFor(() => count === 20, 30000, '20 messages');
  assert.ok(batches >= 2);
  await consumer.disconnect();
  const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'js-each-batch', topics: [topic] }));
  assert.deepEqual(offsets[0].partitions.map((p) => p.offset).sort(), ['10', '10']);
});

test('manual commitOffsets with metadata, then a new consumer resumes there', async () => {
  const topic = 'js-manual-commit';
  await createTopic(topic, 1);
  await produce(topic, 10, 1);
  const consumer = kafka.consumer({ groupId: 'js-manual', ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const offsets = [];
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => { offsets.push(Number(message.offset)); } });
  await waitFor(() => offsets.length === 10, 30000, '10 messages');
  await consumer.commitOffsets([{ topic, partition: 0, offset: '6', metadata: 'manual' }]);
  await consumer.disconnect();

  const fetched = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'js-manual', topics: [topic] }));
  assert.equal(fetched[0].partitions[0].offset, '6');
  assert.equal(fetched[0].partitions[0].metadata, 'manual');

  const again = kafka.consumer({ groupId: 'js-manual', ...consumerOptions });
  await again.connect();
  await again.subscribe({ topic, fromBeginning: true });
  const resumed = [];
  await again.run({ autoCommit: false, eachMessage: async ({ message }) => { resumed.push(Number(message.offset)); } });
  await waitFor(() => resumed.length === 4, 30000, 'the 4 uncommitted messages');
  assert.deepEqual(resumed, [6, 7, 8, 9]);
  await again.disconnect();
});

test('seek moves the position back', async () => {
  const topic = 'js-seek';
  await createTopic(topic, 1);
  await produce(topic, 5, 1);
  const consumer = kafka.consumer({ groupId: 'js-seek', ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const offsets = [];
  let sought = false;
  await consumer.run({
    eachMessage: async ({ message }) => {
      offsets.push(Number(message.offset));
      if (Number(message.offset) === 4 && !sought) {
        sought = true;
        consumer.seek({ topic, partition: 0, offset: '2' });
      }
    },
  });
  await waitFor(() => offsets.length >= 8, 30000, 'the re-read after seek');
  await consumer.disconnect();
  assert.deepEqual(offsets.slice(0, 8), [0, 1, 2, 3, 4, 2, 3, 4]);
});

test('two consumers split the partitions; describeGroups and listGroups show them', async () => {
  const topic = 'js-split';
  const groupId = 'js-split';
  await createTopic(topic, 4);
  const assignments = new Map();
  const makeConsumer = async (name) => {
    const c = kafka.consumer({ groupId, ...consumerOptions });
    c.on(c.events.GROUP_JOIN, (e) => {
      assignments.set(name, { partitions: e.payload.memberAssignment[topic] || [] });
    });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async () => {} });
    return c;
  };
  const first = await makeConsumer('first');
  await waitFor(() => assignments.get('first')?.partitions.length === 4, 30000, 'first consumer owning all');
  const second = await makeConsumer('second');
  const split = () => {
    const a = assignments.get('first')?.partitions ?? [];
    const b = assignments.get('second')?.partitions ?? [];
    return a.length === 2 && b.length === 2 && new Set([...a, ...b]).size === 4;
  };
  await waitFor(split, 30000, 'two consumers with two partitions each');

  await withAdmin(async (admin) => {
    // The group settles in Stable once both synced.
    let described;
    await waitFor(async () => {
      described = (await admin.describeGroups([groupId])).groups[0];
      return described.state === 'Stable' && described.members.length === 2;
    }, 30000, 'a Stable group');
    assert.equal(described.groupId, groupId);
    assert.equal(described.protocolType, 'consumer');
    assert.equal(described.protocol, 'RoundRobinAssigner');
    const owned = [];
    for (const m of described.members) {
      assert.equal(m.clientId, 'sluice-groups');
      assert.equal(m.clientHost, '/127.0.0.1');
      const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      owned.push(...assignment.assignment[topic]);
      const subscription = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
      assert.deepEqual(subscription.topics, [topic]);
    }
    assert.deepEqual(owned.sort(), [0, 1, 2, 3]);

    const listed = await admin.listGroups();
    const mine = listed.groups.find((g) => g.groupId === groupId);
    assert.deepEqual(mine, { groupId, protocolType: 'consumer' });

    const unknown = (await admin.describeGroups(['js-no-such-group'])).groups[0];
    assert.equal(unknown.state, 'Dead');
    assert.equal(unknown.members.length, 0);
  });

  await second.disconnect();
  await waitFor(() => assignments.get('first')?.partitions.length === 4, 30000, 'first taking all back');
  await first.disconnect();
});

test('admin setOffsets on an empty group, then deleteGroups', async () => {
  const topic = 'js-admin-offsets';
  const groupId = 'js-admin-offsets';
  await createTopic(topic, 2);
  await produce(topic, 10, 2);
  await withAdmin(async (admin) => {
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '4' }] });
    const fetched = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = Object.fromEntries(fetched[0].partitions.map((p) => [p.partition, p.offset]));
    assert.deepEqual(byPartition, { 0: '3', 1: '4' });
    assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === groupId));
    const described = (await admin.describeGroups([groupId])).groups[0];
    assert.equal(described.state, 'Empty');

    await admin.deleteGroups([groupId]);
    assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === groupId));
    const afterDelete = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(afterDelete[0].partitions.map((p) => p.offset), ['-1', '-1']);
    await assert.rejects(admin.deleteGroups(['js-never-existed']));
  });
});
