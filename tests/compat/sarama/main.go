// Cross-client test: Sarama (Debian's golang-github-shopify-sarama-dev, 1.22) against a
// sluice-broker process, once per Kafka version setting Sarama is given. Built in GOPATH mode
// by tests/compat/sarama_test.sh.
//
//	sarama-compat <bootstrap> <version>...
//
// For each version: admin (create, list, describe topics), produce with every codec the version
// allows (idempotently from 0.11; from 2.1.0, the zstd refusal Sarama 1.22 gets from Kafka too,
// see refusesZstd), consume, offsets by time, a consumer group with commits read
// back through the admin API. The version "0.10.2.0" expects the broker to refuse Produce v2
// (message format v1), as Kafka 4 does.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func config(v sarama.KafkaVersion, name string) *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = v
	cfg.ClientID = "sarama-" + name
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Metadata.Retry.Max = 2
	cfg.Metadata.Retry.Backoff = 100 * time.Millisecond
	return cfg
}

type groupHandler struct {
	mu     sync.Mutex
	seen   int
	want   int
	done   chan struct{}
	closed bool
}

func (h *groupHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *groupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		h.mu.Lock()
		h.seen++
		if h.seen >= h.want && !h.closed {
			h.closed = true
			close(h.done)
		}
		h.mu.Unlock()
	}
	return nil
}

func run(addr string, v sarama.KafkaVersion) {
	name := strings.ReplaceAll(v.String(), ".", "_")
	addrs := []string{addr}
	topic := "sarama-" + name
	cfg := config(v, name)

	admin, err := sarama.NewClusterAdmin(addrs, cfg)
	if err != nil {
		fail("%s: admin: %v", v, err)
	}
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
		fail("%s: create topic: %v", v, err)
	}
	topics, err := admin.ListTopics()
	if err != nil || topics[topic].NumPartitions != 2 {
		fail("%s: list topics: %v %v", v, topics[topic], err)
	}

	codecs := []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionGZIP,
		sarama.CompressionSnappy, sarama.CompressionLZ4}
	if v.IsAtLeast(sarama.V2_1_0_0) {
		refusesZstd(v, name, addrs, topic)
	}
	start := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	sent := 0
	for _, codec := range codecs {
		pcfg := config(v, name)
		pcfg.Producer.Compression = codec
		if v.IsAtLeast(sarama.V0_11_0_0) {
			pcfg.Producer.Idempotent = true
			pcfg.Net.MaxOpenRequests = 1
		}
		p, err := sarama.NewSyncProducer(addrs, pcfg)
		if err != nil {
			fail("%s: producer (%v): %v", v, codec, err)
		}
		msgs := []*sarama.ProducerMessage{}
		for i := 0; i < 10; i++ {
			msgs = append(msgs, &sarama.ProducerMessage{
				Topic: topic, Partition: int32(sent % 2), Key: sarama.StringEncoder(fmt.Sprintf("k%d", sent)),
				Value:     sarama.StringEncoder(fmt.Sprintf("v%d", sent)),
				Timestamp: start.Add(time.Duration(sent) * time.Second),
			})
			sent++
		}
		if err := p.SendMessages(msgs); err != nil {
			fail("%s: produce (%v): %v", v, codec, err)
		}
		p.Close()
	}

	// Consume both partitions from the start.
	consumer, err := sarama.NewConsumer(addrs, cfg)
	if err != nil {
		fail("%s: consumer: %v", v, err)
	}
	got := map[string]string{}
	for part := int32(0); part < 2; part++ {
		pc, err := consumer.ConsumePartition(topic, part, sarama.OffsetOldest)
		if err != nil {
			fail("%s: consume partition %d: %v", v, part, err)
		}
		want := sent / 2
		for i := 0; i < want; i++ {
			select {
			case m := <-pc.Messages():
				if m.Offset != int64(i) {
					fail("%s: partition %d: offset %d, want %d", v, part, m.Offset, i)
				}
				got[string(m.Key)] = string(m.Value)
			case err := <-pc.Errors():
				fail("%s: consume: %v", v, err)
			case <-time.After(20 * time.Second):
				fail("%s: partition %d: %d of %d records", v, part, i, want)
			}
		}
		pc.Close()
	}
	consumer.Close()
	for i := 0; i < sent; i++ {
		if got[fmt.Sprintf("k%d", i)] != fmt.Sprintf("v%d", i) {
			fail("%s: record k%d: %q", v, i, got[fmt.Sprintf("k%d", i)])
		}
	}

	// Offsets by time: record k4 (partition 0, its third record) was stamped start+4s.
	client, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		fail("%s: client: %v", v, err)
	}
	at := start.Add(4*time.Second).UnixNano() / int64(time.Millisecond)
	off, err := client.GetOffset(topic, 0, at)
	if err != nil || off != 2 {
		fail("%s: offset for time: %d %v", v, off, err)
	}
	if end, err := client.GetOffset(topic, 0, sarama.OffsetNewest); err != nil || end != int64(sent/2) {
		fail("%s: end offset: %d %v", v, end, err)
	}
	client.Close()

	// A consumer group reads everything and commits (OffsetCommit v1, Sarama's default).
	gcfg := config(v, name)
	gcfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	group := "sarama-group-" + name
	g, err := sarama.NewConsumerGroup(addrs, group, gcfg)
	if err != nil {
		fail("%s: consumer group: %v", v, err)
	}
	h := &groupHandler{want: sent, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if err := g.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "%s: group consume: %v\n", v, err)
				time.Sleep(200 * time.Millisecond)
			}
		}
	}()
	select {
	case <-h.done:
	case <-time.After(60 * time.Second):
		fail("%s: the group read %d of %d records", v, h.seen, sent)
	}
	cancel()
	if err := g.Close(); err != nil {
		fail("%s: group close: %v", v, err)
	}
	offsets, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0, 1}})
	if err != nil {
		fail("%s: group offsets: %v", v, err)
	}
	for part := int32(0); part < 2; part++ {
		b := offsets.GetBlock(topic, part)
		if b == nil || b.Err != sarama.ErrNoError || b.Offset != int64(sent/2) {
			fail("%s: committed offset of partition %d: %+v", v, part, b)
		}
	}
	groups, err := admin.ListConsumerGroups()
	if err != nil || groups[group] != "consumer" {
		fail("%s: list groups: %v %v", v, groups, err)
	}
	admin.Close()
	fmt.Printf("sarama %s: %d records in %d codecs, group commits ok\n", v, sent, len(codecs))
}

// Sarama set to Kafka 0.10.2 produces message format v1 (Produce v2), which Kafka 4 and this
// broker do not serve: the producer must fail with an error, not hang or succeed.
func refused(addr string) {
	v := sarama.V0_10_2_0
	cfg := config(v, "old")
	cfg.Producer.Retry.Max = 1
	cfg.Producer.Retry.Backoff = 50 * time.Millisecond
	p, err := sarama.NewSyncProducer([]string{addr}, cfg)
	if err != nil {
		fmt.Printf("sarama %s: refused at connect: %v\n", v, err)
		return
	}
	defer p.Close()
	_, _, err = p.SendMessage(&sarama.ProducerMessage{Topic: "sarama-old", Value: sarama.StringEncoder("x")})
	if err == nil {
		fail("%s: Produce v2 was accepted", v)
	}
	fmt.Printf("sarama %s: Produce v2 refused: %v\n", v, err)
}

// refusesZstd checks the broker's answer to Sarama 1.22's zstd: Sarama sends every batch in
// Produce v3, and zstd needs Produce v7 (KIP-110), so the broker refuses it with
// UNSUPPORTED_COMPRESSION_TYPE exactly as Apache Kafka does (later Sarama releases send v7).
func refusesZstd(v sarama.KafkaVersion, name string, addrs []string, topic string) {
	pcfg := config(v, name)
	pcfg.Producer.Compression = sarama.CompressionZSTD
	pcfg.Producer.Retry.Max = 0
	p, err := sarama.NewSyncProducer(addrs, pcfg)
	if err != nil {
		fail("%s: producer (zstd): %v", v, err)
	}
	defer p.Close()
	_, _, err = p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder("z")})
	if err == nil {
		fail("%s: a zstd batch in Produce v3 was accepted", v)
	}
	if perr, ok := err.(*sarama.ProducerError); ok {
		err = perr.Err
	}
	if err != sarama.ErrUnsupportedCompressionType {
		fail("%s: zstd in Produce v3: %v, want UNSUPPORTED_COMPRESSION_TYPE", v, err)
	}
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: sarama-compat <bootstrap> <version>...")
	}
	for _, s := range os.Args[2:] {
		if s == "0.10.2.0" {
			refused(os.Args[1])
			continue
		}
		v, err := sarama.ParseKafkaVersion(s)
		if err != nil {
			fail("version %s: %v", s, err)
		}
		run(os.Args[1], v)
	}
}
