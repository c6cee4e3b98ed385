// Cross-client test: segmentio/kafka-go 0.2.1 (Debian's golang-github-segmentio-kafka-go-dev)
// against a sluice-broker process. Built in GOPATH mode by tests/compat/kafka_go_test.sh.
//
//	kafka-go-compat <bootstrap>
//
// kafka-go 0.2.1 never sends ApiVersions: every call has one fixed version.
//
//	Metadata v1        Dial, DialLeader, LookupPartitions, ReadPartitions    served
//	CreateTopics v0    Conn.CreateTopics                                     served (*)
//	DeleteTopics v1    Conn.DeleteTopics                                     served
//	ListOffsets v1     ReadOffset(s), ReadFirst/LastOffset, Seek, ReadLag    served
//	FindCoordinator v0, JoinGroup v1, SyncGroup v0, Heartbeat v0,
//	OffsetFetch v1, OffsetCommit v2                   Reader with GroupID    served
//	Produce v2         Conn.WriteMessages, Writer                            refused
//	Fetch v2           Conn.ReadMessage/ReadBatch, Reader                    refused
//
// (DescribeGroups v1 and ListGroups v1 exist in 0.2.1 but only as unexported methods. LeaveGroup
// v0 is sent only when a join fails: Reader.Close means to leave, but dials the coordinator with
// the context it has just cancelled, so a closed member leaves by its session timeout.)
//
// Produce v2 and Fetch v2 carry message format v1 (magic 1 message sets), which KIP-896 removed
// in Apache Kafka 4.0 (Produce is served from v3, Fetch from v4). Kafka 4 closes the connection
// on such a request, and so does this broker: kafka-go cannot produce or consume against
// either, and gets a connection error (not a Kafka error code). This program checks exactly
// that, and that nothing was appended. The records it needs are produced with Sarama, and its
// group's state is read back with Sarama's admin client.
//
// (*) Kafka 4 serves CreateTopics from v2, so against Kafka 4 kafka-go 0.2.1 cannot create
// topics either; Sluice still serves v0 as Kafka 3.9 did (broker/README.md, "APIs and
// versions"), and this program checks it.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
	kafka "github.com/segmentio/kafka-go"
)

const (
	topic  = "kafka-go-topic"
	doomed = "kafka-go-doomed"
	group  = "kafka-go-group"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error, format string, args ...interface{}) {
	if err != nil {
		fail(format+": %v", append(args, err)...)
	}
}

// logBuf collects a kafka-go logger's lines so the test can wait for what kafka-go reports.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuf) logger() *log.Logger { return log.New(b, "", 0) }

func waitFor(what string, d time.Duration, cond func() bool) {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			fail("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func dialer(clientID string) *kafka.Dialer {
	return &kafka.Dialer{ClientID: clientID, Timeout: 10 * time.Second}
}

func saramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_2_0_0
	cfg.ClientID = "kafka-go-helper"
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	return cfg
}

// admin: CreateTopics v0, DeleteTopics v1 and Metadata v1.
func admin(addr string) {
	conn, err := dialer("kafka-go-admin").Dial("tcp", addr)
	check(err, "dial")
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))

	check(conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 2, ReplicationFactor: 1},
		kafka.TopicConfig{Topic: doomed, NumPartitions: 1, ReplicationFactor: 1}), "create topics")
	// kafka-go treats TOPIC_ALREADY_EXISTS as success; the topic keeps its 2 partitions (below).
	check(conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}),
		"create an existing topic")

	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	parts, err := conn.ReadPartitions(topic, doomed)
	check(err, "read partitions")
	seen := map[string]int{}
	for _, p := range parts {
		seen[p.Topic]++
		if p.Leader.Host != host || p.Leader.Port != port || len(p.Replicas) != 1 || len(p.Isr) != 1 ||
			p.Replicas[0].ID != p.Leader.ID || p.Isr[0].ID != p.Leader.ID {
			fail("partition %s/%d: %+v (want leader %s)", p.Topic, p.ID, p, addr)
		}
	}
	if seen[topic] != 2 || seen[doomed] != 1 {
		fail("metadata: %v", seen)
	}
	lp, err := kafka.LookupPartitions(context.Background(), "tcp", addr, topic)
	if err != nil || len(lp) != 2 {
		fail("lookup partitions: %+v %v", lp, err)
	}

	check(conn.DeleteTopics(doomed), "delete topic")
	if err := conn.DeleteTopics(doomed); err != kafka.UnknownTopicOrPartition {
		fail("delete a deleted topic: %v, want UnknownTopicOrPartition", err)
	}
	fmt.Println("kafka-go: CreateTopics v0, DeleteTopics v1, Metadata v1 ok")
}

// seed produces, with Sarama, 5 records to partition 0 stamped start+0s..4s and 3 to partition 1.
func seed(addr string, start time.Time) {
	p, err := sarama.NewSyncProducer([]string{addr}, saramaConfig())
	check(err, "sarama producer")
	defer p.Close()
	msgs := []*sarama.ProducerMessage{}
	for i := 0; i < 8; i++ {
		part := int32(0)
		if i >= 5 {
			part = 1
		}
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: part,
			Value: sarama.StringEncoder(fmt.Sprintf("v%d", i)), Timestamp: start.Add(time.Duration(i) * time.Second)})
	}
	check(p.SendMessages(msgs), "sarama produce")
}

// endOffsets reads the partitions' end offsets with Sarama.
func endOffsets(addr string) [2]int64 {
	c, err := sarama.NewClient([]string{addr}, saramaConfig())
	check(err, "sarama client")
	defer c.Close()
	var out [2]int64
	for part := int32(0); part < 2; part++ {
		out[part], err = c.GetOffset(topic, part, sarama.OffsetNewest)
		check(err, "end offset of partition %d", part)
	}
	return out
}

// offsets: ListOffsets v1 through Conn and Reader.
func offsets(addr string, start time.Time) {
	ctx := context.Background()
	conn, err := dialer("kafka-go-offsets").DialLeader(ctx, "tcp", addr, topic, 0)
	check(err, "dial leader")
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if first, last, err := conn.ReadOffsets(); err != nil || first != 0 || last != 5 {
		fail("read offsets of partition 0: %d %d %v, want 0 5", first, last, err)
	}
	if off, err := conn.ReadOffset(start.Add(2 * time.Second)); err != nil || off != 2 {
		fail("offset for time start+2s: %d %v, want 2", off, err)
	}
	if off, err := conn.ReadOffset(start.Add(1500 * time.Millisecond)); err != nil || off != 2 {
		fail("offset for time start+1.5s: %d %v, want 2", off, err)
	}
	// No record that late: Kafka answers offset -1 (ListOffsets v1).
	if off, err := conn.ReadOffset(start.Add(time.Hour)); err != nil || off != -1 {
		fail("offset for time start+1h: %d %v, want -1", off, err)
	}
	if off, err := conn.Seek(1, kafka.SeekEnd); err != nil || off != 4 {
		fail("seek end-1: %d %v", off, err)
	}
	if off, err := conn.Seek(1, kafka.SeekStart); err != nil || off != 1 {
		fail("seek start+1: %d %v", off, err)
	}
	if _, err := conn.Seek(6, kafka.SeekAbsolute); err != kafka.OffsetOutOfRange {
		fail("seek past the end: %v, want OffsetOutOfRange", err)
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: topic, Partition: 1,
		Dialer: dialer("kafka-go-lag")})
	defer r.Close()
	check(r.SetOffset(1), "reader set offset")
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if lag, err := r.ReadLag(lctx); err != nil || lag != 2 {
		fail("reader lag of partition 1 from offset 1: %d %v, want 2", lag, err)
	}
	fmt.Println("kafka-go: ListOffsets v1 (first, last, by time, seek, reader lag) ok")
}

// refused: Produce v2 and Fetch v2 close the connection, as Kafka 4 does; nothing is appended.
func refused(addr string) {
	ctx := context.Background()
	before := endOffsets(addr)

	conn, err := dialer("kafka-go-produce").DialLeader(ctx, "tcp", addr, topic, 0)
	check(err, "dial leader (produce)")
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	_, err = conn.WriteMessages(kafka.Message{Key: []byte("k"), Value: []byte("refused")})
	if err == nil {
		fail("Conn.WriteMessages (Produce v2) was accepted")
	}
	if _, ok := err.(kafka.Error); ok {
		fail("Conn.WriteMessages (Produce v2): Kafka error %v, want the connection closed", err)
	}
	fmt.Printf("kafka-go: Produce v2 refused (connection closed): %v\n", err)
	conn.Close()

	w := kafka.NewWriter(kafka.WriterConfig{Brokers: []string{addr}, Topic: topic, MaxAttempts: 2,
		BatchTimeout: 10 * time.Millisecond, Dialer: dialer("kafka-go-produce")})
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	err = w.WriteMessages(wctx, kafka.Message{Value: []byte("refused")})
	cancel()
	w.Close()
	if err == nil {
		fail("Writer.WriteMessages (Produce v2) was accepted")
	}
	if err == context.DeadlineExceeded {
		fail("Writer.WriteMessages (Produce v2) hung")
	}
	fmt.Printf("kafka-go: Writer refused: %v\n", err)

	conn, err = dialer("kafka-go-fetch").DialLeader(ctx, "tcp", addr, topic, 0)
	check(err, "dial leader (fetch)")
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	_, err = conn.ReadMessage(1 << 20)
	if err == nil {
		fail("Conn.ReadMessage (Fetch v2) returned a message")
	}
	if _, ok := err.(kafka.Error); ok {
		fail("Conn.ReadMessage (Fetch v2): Kafka error %v, want the connection closed", err)
	}
	fmt.Printf("kafka-go: Fetch v2 refused (connection closed): %v\n", err)
	conn.Close()

	// The Reader keeps retrying in the background; FetchMessage never gets a record.
	var errs logBuf
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: topic, Partition: 0,
		Dialer: dialer("kafka-go-fetch"), MaxWait: time.Second, ErrorLogger: errs.logger()})
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	m, err := r.FetchMessage(rctx)
	cancel()
	r.Close()
	if err == nil {
		fail("Reader.FetchMessage (Fetch v2) returned offset %d", m.Offset)
	}
	if !strings.Contains(errs.String(), "unknown error reading partition 0") {
		fail("Reader: the failed Fetch was not reported:\n%s", errs.String())
	}

	if after := endOffsets(addr); after != before {
		fail("end offsets %v after the refused produces, want %v", after, before)
	}
	fmt.Println("kafka-go: Produce v2 and Fetch v2 refused, nothing appended")
}

type member struct {
	client     string
	partitions []int32
}

// describe returns the group's state and members (client id and, when Stable, the partitions of
// topic assigned to it).
func describe(adm sarama.ClusterAdmin) (string, []member) {
	ds, err := adm.DescribeConsumerGroups([]string{group})
	check(err, "describe group")
	if len(ds) != 1 || ds[0].Err != sarama.ErrNoError {
		fail("describe group: %+v", ds)
	}
	var out []member
	for _, m := range ds[0].Members {
		// As Kafka, member metadata and assignments only in the Stable state.
		var partitions []int32
		if ds[0].State == "Stable" {
			a, err := m.GetMemberAssignment()
			check(err, "assignment of %s", m.ClientId)
			partitions = a.Topics[topic]
		}
		out = append(out, member{client: m.ClientId, partitions: partitions})
	}
	return ds[0].State, out
}

func committed(adm sarama.ClusterAdmin) [2]int64 {
	resp, err := adm.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0, 1}})
	check(err, "group offsets")
	var out [2]int64
	for part := int32(0); part < 2; part++ {
		b := resp.GetBlock(topic, part)
		if b == nil || b.Err != sarama.ErrNoError {
			fail("committed offset of partition %d: %+v", part, b)
		}
		out[part] = b.Offset
	}
	return out
}

func groupReader(addr, client string, logs, errs *logBuf) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, GroupID: group, Topic: topic,
		Dialer: dialer(client), HeartbeatInterval: 500 * time.Millisecond, SessionTimeout: 6 * time.Second,
		RebalanceTimeout: 10 * time.Second, CommitInterval: 0, MaxWait: time.Second,
		Logger: logs.logger(), ErrorLogger: errs.logger()})
}

// groups: kafka-go's consumer-group coordination. Its partition readers cannot fetch (Fetch v2),
// but joining, syncing, heartbeats, rebalances, offset fetches and commits all work.
func groups(addr string) {
	adm, err := sarama.NewClusterAdmin([]string{addr}, saramaConfig())
	check(err, "sarama admin")
	defer adm.Close()
	ctx := context.Background()

	var logs1, errs1 logBuf
	r1 := groupReader(addr, "kafka-go-member-1", &logs1, &errs1)
	// The join (FindCoordinator v0, JoinGroup v1, SyncGroup v0) and the offset fetch (OffsetFetch
	// v1: nothing committed, so the first offset, -2) end in kafka-go's "subscribed" line.
	waitFor("member 1 subscribed", 60*time.Second, func() bool {
		return strings.Contains(logs1.String(), "subscribed to partitions: map[0:-2 1:-2]")
	})
	// kafka-go commits the offset after the message's (OffsetCommit v2).
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	err = r1.CommitMessages(cctx, kafka.Message{Topic: topic, Partition: 0, Offset: 1},
		kafka.Message{Topic: topic, Partition: 1, Offset: 0})
	cancel()
	check(err, "commit (member 1)")
	if c := committed(adm); c != [2]int64{2, 1} {
		fail("committed %v, want [2 1]", c)
	}
	state, ms := describe(adm)
	if state != "Stable" || len(ms) != 1 || ms[0].client != "kafka-go-member-1" || len(ms[0].partitions) != 2 {
		fail("group with one member: %s %+v", state, ms)
	}

	// Heartbeats (v0) keep the member past its session timeout.
	time.Sleep(8 * time.Second)
	if state, ms := describe(adm); state != "Stable" || len(ms) != 1 {
		fail("group after 8 s of heartbeats: %s %+v", state, ms)
	}

	// A second member: member 1 learns of the rebalance from its heartbeat and rejoins.
	var logs2, errs2 logBuf
	r2 := groupReader(addr, "kafka-go-member-2", &logs2, &errs2)
	var owned2 []int32
	waitFor("two members with a partition each", 60*time.Second, func() bool {
		state, ms := describe(adm)
		if state != "Stable" || len(ms) != 2 {
			return false
		}
		for _, m := range ms {
			if len(m.partitions) != 1 {
				return false
			}
			if m.client == "kafka-go-member-2" {
				owned2 = m.partitions
			}
		}
		return owned2 != nil
	})
	other := 1 - owned2[0]
	// Member 2 subscribed from the committed offset of its partition (OffsetFetch v1).
	fetched := map[int32]int64{0: 2, 1: 1}
	sub2 := fmt.Sprintf("subscribed to partitions: map[%d:%d]", owned2[0], fetched[owned2[0]])
	waitFor("member 2 "+sub2, 60*time.Second, func() bool { return strings.Contains(logs2.String(), sub2) })
	cctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	err = r2.CommitMessages(cctx, kafka.Message{Topic: topic, Partition: int(owned2[0]), Offset: 3})
	cancel()
	check(err, "commit (member 2)")
	want := [2]int64{2, 1}
	want[owned2[0]] = 4
	if c := committed(adm); c != want {
		fail("committed %v, want %v", c, want)
	}

	// Member 2 closes; kafka-go 0.2.1 does not manage to send LeaveGroup (see the top), so
	// member 1 takes both partitions back once member 2's session (6 s) has expired.
	check(r2.Close(), "close member 2")
	waitFor("member 1 alone again", 60*time.Second, func() bool {
		state, ms := describe(adm)
		return state == "Stable" && len(ms) == 1 && ms[0].client == "kafka-go-member-1" && len(ms[0].partitions) == 2
	})
	cctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	err = r1.CommitMessages(cctx, kafka.Message{Topic: topic, Partition: int(other), Offset: 2})
	cancel()
	check(err, "commit (member 1, after the rebalances)")
	want[other] = 3
	if c := committed(adm); c != want {
		fail("committed %v, want %v", c, want)
	}
	check(r1.Close(), "close member 1")
	waitFor("the group to be empty", 60*time.Second, func() bool {
		state, ms := describe(adm)
		return state == "Empty" && len(ms) == 0
	})
	for _, e := range []*logBuf{&errs1, &errs2} {
		if !strings.Contains(e.String(), "unknown error reading partition") {
			fail("a member's Fetch v2 was not refused:\n%s", e.String())
		}
	}

	// A new member starts from the committed offsets.
	var logs3, errs3 logBuf
	r3 := groupReader(addr, "kafka-go-member-3", &logs3, &errs3)
	sub := fmt.Sprintf("subscribed to partitions: map[0:%d 1:%d]", want[0], want[1])
	waitFor("member 3 subscribed at "+fmt.Sprint(want), 60*time.Second, func() bool {
		return strings.Contains(logs3.String(), sub)
	})
	check(r3.Close(), "close member 3")
	fmt.Printf("kafka-go: group join/sync/heartbeat/rebalance, commits %v read back, ok\n", want)
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: kafka-go-compat <bootstrap>")
	}
	addr := os.Args[1]
	log.SetOutput(io.Discard)
	start := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	admin(addr)
	seed(addr, start)
	offsets(addr, start)
	refused(addr)
	groups(addr)
	fmt.Println("kafka-go compatibility: ok")
}
