// Cross-client test: kafkajs 2.2.4 admin describeConfigs (v2, with synonyms) and alterConfigs
// (v1) against a sluice-broker process — topic and broker resources, every Kafka 4.x topic
// key — and the lesson's compaction example read back by a kafkajs consumer, plus the metrics
// endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, freePort, adminSession } from './lib.mjs';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const bin = process.argv[2];
let broker;
let kafka;
let metricsPort;

before(async () => {
  metricsPort = await freePort();
  broker = await startBroker(bin, ['--set', 'log.level=warn', '--set', 'log.cleaner.backoff.ms=50',
    '--set', 'group.initial.rebalance.delay.ms=0',
    '--set', `metrics.listen=127.0.0.1:${metricsPort}`]);
  kafka = new Kafka({ clientId: 'sluice-configs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

after(async () => {
  await broker.stop();
});

/** Runs `fn(admin)` with a connected admin client of this file's Kafka client. */
const withAdmin = (fn) => adminSession(kafka, fn);

function entries(result) {
  const out = {};
  for (const e of result.resources[0].configEntries) out[e.configName] = e;
  return out;
}

test('describeConfigs reports sources and synonyms; alterConfigs replaces and validates', async () => {
  await withAdmin(async (admin) => {
    await admin.createTopics({
      topics: [{ topic: 'kjs-configs', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
      waitForLeaders: true,
    });
    let d = entries(await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-configs' }],
    }));
    assert.equal(d['retention.ms'].configValue, '3600000');
    assert.equal(d['retention.ms'].configSource, 1); // DYNAMIC_TOPIC_CONFIG
    assert.deepEqual(d['retention.ms'].configSynonyms.map((s) => [s.configName, s.configSource]),
      [['retention.ms', 1], ['log.retention.ms', 5]]);
    assert.equal(d['cleanup.policy'].configValue, 'delete');
    assert.equal(d['cleanup.policy'].configSource, 5); // DEFAULT_CONFIG
    assert.equal(d['compression.type'].configValue, 'producer');
    assert.equal(d['cleanup.policy'].readOnly, false);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC, name: 'kjs-configs',
        configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }, { name: 'segment.bytes', value: '1048576' }],
      }],
    });
    d = entries(await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-configs', configNames: ['cleanup.policy', 'retention.ms', 'segment.bytes'] }],
    }));
    assert.equal(Object.keys(d).length, 3);
    assert.equal(d['cleanup.policy'].configValue, 'compact,delete');
    assert.equal(d['segment.bytes'].configValue, '1048576');
    assert.equal(d['retention.ms'].configValue, '604800000'); // replaced away: default again

    await assert.rejects(admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-configs', configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    }), (e) => /retention\.ms/.test(JSON.stringify(e)) || /INVALID_CONFIG|Configuration is invalid/i.test(String(e)));
  });
});

test('every Kafka 4.x topic key: described, set, validated', async () => {
  const kafka4TopicKeys = [
    'cleanup.policy', 'compression.gzip.level', 'compression.lz4.level', 'compression.type',
    'compression.zstd.level', 'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages',
    'flush.ms', 'follower.replication.throttled.replicas', 'index.interval.bytes',
    'leader.replication.throttled.replicas', 'local.retention.bytes', 'local.retention.ms',
    'max.compaction.lag.ms', 'max.message.bytes', 'message.timestamp.after.max.ms',
    'message.timestamp.before.max.ms', 'message.timestamp.type', 'min.cleanable.dirty.ratio',
    'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate', 'remote.log.copy.disable',
    'remote.log.delete.on.disable', 'remote.storage.enable', 'retention.bytes', 'retention.ms',
    'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms',
    'unclean.leader.election.enable'];
  await withAdmin(async (admin) => {
    await admin.createTopics({
      topics: [{
        topic: 'kjs-kafka4-keys', numPartitions: 1, configEntries: [
          { name: 'segment.jitter.ms', value: '1000' }, { name: 'min.compaction.lag.ms', value: '5000' },
          { name: 'unclean.leader.election.enable', value: 'true' },
          { name: 'leader.replication.throttled.replicas', value: '*' }],
      }],
      waitForLeaders: true,
    });
    const d = entries(await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-kafka4-keys' }],
    }));
    assert.deepEqual(Object.keys(d).sort(), kafka4TopicKeys);
    assert.equal(d['segment.jitter.ms'].configValue, '1000');
    assert.equal(d['segment.jitter.ms'].configSource, 1); // DYNAMIC_TOPIC_CONFIG
    assert.equal(d['unclean.leader.election.enable'].configValue, 'true');
    assert.equal(d['leader.replication.throttled.replicas'].configValue, '*');
    assert.equal(d['segment.index.bytes'].configValue, '10485760');
    assert.deepEqual(d['segment.index.bytes'].configSynonyms.map((s) => s.configName), ['log.index.size.max.bytes']);
    assert.equal(d['remote.storage.enable'].configValue, 'false');
    assert.deepEqual(d['remote.storage.enable'].configSynonyms, []);
    // No tiered storage: Kafka's INVALID_CONFIG; and min.compaction.lag.ms over max.
    for (const configEntries of [[{ name: 'remote.storage.enable', value: 'true' }],
      [{ name: 'min.compaction.lag.ms', value: '10' }, { name: 'max.compaction.lag.ms', value: '5' }],
      [{ name: 'compression.lz4.level', value: '18' }]]) {
      await assert.rejects(admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-kafka4-keys', configEntries }],
      }), (e) => /INVALID_CONFIG|Configuration is invalid/i.test(String(e) + JSON.stringify(e)));
    }
  });
});

test('broker resource: dynamic log defaults, read-only keys', async () => {
  await withAdmin(async (admin) => {
    // kafkajs (like librdkafka) refuses the cluster-default resource name "": the raw-protocol
    // integration test covers that layer.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'log.retention.bytes', value: '1048576' }] }],
    });
    const d = entries(await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['log.retention.bytes', 'listeners'] }],
    }));
    assert.equal(d['log.retention.bytes'].configValue, '1048576');
    assert.equal(d['log.retention.bytes'].configSource, 2); // DYNAMIC_BROKER_CONFIG
    assert.equal(d['log.retention.bytes'].readOnly, false);
    assert.equal(d.listeners.readOnly, true);
    await assert.rejects(admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'listeners', value: '127.0.0.1:1' }] }],
    }));
  });
});

test('the lesson compaction example read back by a kafkajs consumer', async () => {
  const topic = 'kjs-compacted';
  await withAdmin((admin) => admin.createTopics({
    topics: [{
      topic, numPartitions: 1, configEntries: [
        { name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '100' },
        { name: 'segment.ms', value: '100' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }],
    }],
    waitForLeaders: true,
  }));
  const producer = kafka.producer();
  await producer.connect();
  const keys = ['user1', 'user2', 'user1', 'user3', 'user2', 'user1'];
  for (let i = 0; i < keys.length; i++) {
    await producer.send({ topic, messages: [{ key: keys[i], value: `v${i + 1}` }] });
  }
  // A keyless record is refused by a compacted topic.
  await assert.rejects(producer.send({ topic, messages: [{ value: 'no key' }] }));
  await producer.disconnect();

  const expected = [['3', 'user3', 'v4'], ['4', 'user2', 'v5'], ['5', 'user1', 'v6']];
  const deadline = Date.now() + 30000;
  let got = [];
  while (Date.now() < deadline) {
    got = await readAll(topic);
    if (JSON.stringify(got) === JSON.stringify(expected)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(got, expected);
});

/** Every record of partition 0 from the beginning, as [offset, key, value]. */
async function readAll(topic) {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out = [];
  let lastSeen = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      out.push([message.offset, message.key?.toString() ?? null, message.value?.toString() ?? null]);
      lastSeen = Date.now();
    },
  });
  // Until the records stop coming (the group join comes first).
  const start = Date.now();
  while (Date.now() - start < 15000 && (lastSeen === 0 || Date.now() - lastSeen < 1000)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await consumer.disconnect();
  return out;
}

test('metrics endpoint serves Prometheus text with per-topic traffic', async () => {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /# TYPE sluice_broker_requests_total counter/);
  assert.match(text, /sluice_broker_topic_records_in_total\{topic="kjs-compacted"\} 6/);
  assert.match(text, /sluice_broker_request_errors_total\{api="Produce",error="INVALID_RECORD"\} [1-9]/);
  const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
  assert.equal(await health.text(), 'ok');
});
