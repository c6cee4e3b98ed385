// Cross-client test: kafkajs 2.2.4 against a sluice-broker process — admin createTopics,
// fetchTopicMetadata, fetchTopicOffsets, deleteTopics, and a gzip producer whose records are
// read back with kcat (kafkajs consumes only through consumer groups).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Kafka, CompressionTypes, logLevel } from 'kafkajs';
import { startBroker } from './lib.mjs';

const bin = process.argv[2];
let broker;
let kafka;

before(async () => {
  broker = await startBroker(bin, ['--set', 'log.level=warn']);
  kafka = new Kafka({ clientId: 'sluice-compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

after(async () => {
  await broker.stop();
});

test('admin creates, describes, lists offsets of and deletes topics', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic: 'js-admin', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
      waitForLeaders: true,
    });
    assert.equal(created, true);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'js-admin', numPartitions: 3 }] }), false);
    const md = await admin.fetchTopicMetadata({ topics: ['js-admin'] });
    assert.equal(md.topics.length, 1);
    assert.equal(md.topics[0].partitions.length, 3);
    for (const p of md.topics[0].partitions) {
      assert.equal(p.leader, 0);
      assert.deepEqual(p.replicas, [0]);
    }
    const offsets = await admin.fetchTopicOffsets('js-admin');
    assert.equal(offsets.length, 3);
    for (const o of offsets) {
      assert.equal(o.low, '0');
      assert.equal(o.high, '0');
    }
    assert.ok((await admin.listTopics()).includes('js-admin'));
    await admin.deleteTopics({ topics: ['js-admin'] });
    assert.ok(!(await admin.listTopics()).includes('js-admin'));
  } finally {
    await admin.disconnect();
  }
});

test('gzip producer writes records that kcat reads back', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'js-produce', numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < 50; i++) {
    messages.push({ key: `k${i}`, value: `value-${i}`, headers: { origin: 'kafkajs' } });
  }
  const result = await producer.send({ topic: 'js-produce', compression: CompressionTypes.GZIP, messages });
  await producer.disconnect();
  assert.ok(result.length >= 1);
  for (const r of result) assert.equal(r.errorCode, 0);

  const out = execFileSync('kcat', ['-C', '-b', broker.bootstrap, '-t', 'js-produce', '-e', '-q',
    '-f', '%k|%s|%h\n'], { encoding: 'utf8' });
  const lines = out.trim().split('\n').sort();
  assert.equal(lines.length, 50);
  assert.ok(lines.includes('k7|value-7|origin=kafkajs'));

  // kafkajs's default partitioner is Java's murmur2: kcat with murmur2_random agrees per key.
  const kcatParts = execFileSync('kcat', ['-C', '-b', broker.bootstrap, '-t', 'js-produce', '-e', '-q',
    '-f', '%k %p\n'], { encoding: 'utf8' }).trim().split('\n');
  const byKey = new Map(kcatParts.map((l) => l.split(' ')));
  execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', 'js-produce', '-K:', '-X', 'partitioner=murmur2_random'],
    { input: 'k7:again\nk8:again\n' });
  const again = execFileSync('kcat', ['-C', '-b', broker.bootstrap, '-t', 'js-produce', '-e', '-q',
    '-f', '%k %p %s\n'], { encoding: 'utf8' }).trim().split('\n').filter((l) => l.endsWith(' again'));
  assert.equal(again.length, 2);
  for (const l of again) {
    const [k, p] = l.split(' ');
    assert.equal(p, byKey.get(k), `key ${k} went to partition ${p}, kafkajs put it in ${byKey.get(k)}`);
  }
});
