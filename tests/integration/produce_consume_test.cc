// Produce/consume round trips through librdkafka against an in-process sluice-broker.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/records.h"

#include <librdkafka/rdkafka.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

class produce_consume : public broker_test {};

TEST_F(produce_consume, round_trip_on_several_partitions_with_keys_and_headers) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 30; ++i) {
    auto* h = RdKafka::Headers::create();
    h->add("trace", "id-" + std::to_string(i));
    h->add("null-header", nullptr, 0);
    produce(*p, t, i % 3, "key-" + std::to_string(i), "value-" + std::to_string(i), 0, h);
  }
  auto got = consume(t, {0, 1, 2}, 30);
  ASSERT_EQ(got.size(), 30u);
  std::map<int32_t, int64_t> next_offset;
  for (const auto& r : got) {
    // Offsets within a partition are dense and ordered.
    EXPECT_EQ(r.offset, next_offset[r.partition]++);
    ASSERT_TRUE(r.key && r.value);
    auto i = std::stoi(r.key->substr(4));
    EXPECT_EQ(*r.value, "value-" + std::to_string(i));
    EXPECT_EQ(r.partition, i % 3);
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].first, "trace");
    EXPECT_EQ(r.headers[0].second, "id-" + std::to_string(i));
    EXPECT_EQ(r.headers[1].first, "null-header");
    EXPECT_FALSE(r.headers[1].second.has_value());
  }
  EXPECT_EQ(next_offset[0], 10);
  EXPECT_EQ(next_offset[1], 10);
  EXPECT_EQ(next_offset[2], 10);
}

TEST_F(produce_consume, null_keys_and_null_values_survive) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  produce(*p, t, 0, std::nullopt, "no key");
  produce(*p, t, 0, "tombstone", std::nullopt);
  produce(*p, t, 0, std::string(), std::string());
  auto got = consume(t, {0}, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].key.has_value());
  EXPECT_EQ(got[0].value, "no key");
  EXPECT_EQ(got[1].key, "tombstone");
  EXPECT_FALSE(got[1].value.has_value());
  EXPECT_EQ(got[2].key, "");
  EXPECT_EQ(got[2].value, "");
}

class compression : public broker_test, public ::testing::WithParamInterface<std::string> {};

/// The codec of every batch stored in the segment files of `partition_dir`, by name.
std::multiset<std::string> stored_codecs(const std::filesystem::path& partition_dir) {
  namespace protocol = ::sluice::protocol;
  std::multiset<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(partition_dir)) {
    if (e.path().extension() != ".log") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    protocol::batch_iterator it(core::bytes_view(reinterpret_cast<const std::byte*>(raw.data()), raw.size()));
    for (;;) {
      auto next = it.next();
      if (!next || !next.value()) break;
      auto h = protocol::decode_batch_header(*next.value());
      if (!h || !h.value().codec()) break;
      out.insert(std::string(protocol::name(*h.value().codec())));
    }
  }
  return out;
}

TEST_P(compression, codec_round_trips_in_batches) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"compression.codec", GetParam()}, {"linger.ms", "20"}});
  // Many compressible records sent without waiting, so the client builds real batches.
  std::string payload(200, 'x');
  for (int i = 0; i < 500; ++i) {
    auto v = payload + std::to_string(i);
    auto k = std::to_string(i);
    ASSERT_EQ(p->produce(t, i % 2, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), k.data(),
                         k.size(), 0, nullptr, nullptr),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  auto got = consume(t, {0, 1}, 500);
  ASSERT_EQ(got.size(), 500u);
  std::set<int> seen;
  for (const auto& r : got) {
    int i = std::stoi(*r.key);
    EXPECT_EQ(*r.value, payload + std::to_string(i));
    seen.insert(i);
  }
  EXPECT_EQ(seen.size(), 500u);
  // The broker stores what the client sent: librdkafka really compressed the batches. (It
  // sends them uncompressed, without an error, if ApiVersions does not list Produce v0.)
  for (int32_t part : {0, 1}) {
    auto codecs = stored_codecs(options().data_dir / (t + "-" + std::to_string(part)));
    ASSERT_FALSE(codecs.empty());
    for (const auto& c : codecs) EXPECT_EQ(c, GetParam()) << "partition " << part;
  }
}

INSTANTIATE_TEST_SUITE_P(codecs, compression,
                         ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

TEST_F(produce_consume, large_fetches_sent_from_the_segment_files_arrive_whole_and_in_order) {
  // Partitions holding far more than the per-partition and response limits: every Fetch answer
  // carries records sent straight from the segment files (sendfile), cut at batch boundaries
  // by the limits, over many round trips, in both isolation levels — with the broker's default
  // response limit (fetch.max.bytes), then with its smallest, where each response holds the
  // one first batch that always goes out whole.
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"linger.ms", "20"}, {"batch.size", "200000"}});
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    std::string v = std::to_string(i) + ":" + std::string(1000 + i % 97, static_cast<char>('a' + i % 26));
    ASSERT_EQ(p->produce(t, i % 3, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0,
                         nullptr, nullptr),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  for (int32_t broker_limit : {options().fetch_max_bytes, 1024}) {
    if (options().fetch_max_bytes != broker_limit) {
      options().fetch_max_bytes = broker_limit;
      stop_broker();
      start_broker();
    }
    for (const char* isolation : {"read_uncommitted", "read_committed"}) {
      SCOPED_TRACE(std::string(isolation) + ", broker fetch.max.bytes " + std::to_string(broker_limit));
      auto got = consume(t, {0, 1, 2}, n, std::chrono::seconds(30),
                         {{"max.partition.fetch.bytes", "300000"},
                          {"fetch.max.bytes", "500000"},
                          {"message.max.bytes", "400000"},
                          {"isolation.level", isolation}});
      ASSERT_EQ(got.size(), static_cast<size_t>(n));
      std::map<int32_t, int64_t> next_offset;
      for (const auto& r : got) {
        EXPECT_EQ(r.offset, next_offset[r.partition]++);
        ASSERT_TRUE(r.value);
        const int i = std::stoi(r.value->substr(0, r.value->find(':')));
        EXPECT_EQ(r.partition, i % 3);
        EXPECT_EQ(*r.value, std::to_string(i) + ":" + std::string(1000 + i % 97, static_cast<char>('a' + i % 26)));
      }
    }
  }
}

TEST_F(produce_consume, records_survive_a_restart) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  {
    auto p = make_producer({{"acks", "all"}});
    for (int i = 0; i < 20; ++i) produce(*p, t, i % 2, std::to_string(i), "v" + std::to_string(i));
  }
  stop_broker();
  start_broker();
  auto got = consume(t, {0, 1}, 20);
  ASSERT_EQ(got.size(), 20u);
  // And the log continues where it left off.
  auto p = make_producer();
  EXPECT_EQ(produce(*p, t, 0, "after", "restart"), 10);
}

TEST_F(produce_consume, auto_creates_a_topic_on_first_produce) {
  options().num_partitions = 4;
  stop_broker();
  start_broker();
  auto t = topic();
  auto p = make_producer();
  EXPECT_EQ(produce(*p, t, RdKafka::Topic::PARTITION_UA, "k", "v"), 0);
  RdKafka::Metadata* md = nullptr;
  std::string err;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(p.get(), t, nullptr, err));
  ASSERT_EQ(p->metadata(false, handle.get(), &md, 10000), RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Metadata> owned(md);
  ASSERT_EQ(md->topics()->size(), 1u);
  EXPECT_EQ((*md->topics())[0]->partitions()->size(), 4u);
  EXPECT_EQ(md->orig_broker_id(), 0);
}

TEST_F(produce_consume, long_poll_wakes_on_append) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto p = make_producer();
    produce(*p, t, 0, "late", "arrival");
  });
  // The consumer's fetch parks for up to 30 s, longer than this test waits (15 s): the record
  // can only arrive in time because the append wakes the parked fetch.
  auto got = consume(t, {0}, 1, std::chrono::seconds(15), {{"fetch.wait.max.ms", "30000"}});
  producer.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "arrival");
}

}  // namespace
}  // namespace sluice::testing
