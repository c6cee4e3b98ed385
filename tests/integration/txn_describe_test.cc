// The transaction admin APIs (KIP-664, KIP-994, KIP-1152) — DescribeProducers,
// ListTransactions and DescribeTransactions — over raw requests against a real in-process
// broker, with producers and transactions driven by raw InitProducerId / Produce / EndTxn.

#include "broker_fixture.h"

#include "core/protocol/describe_producers.h"
#include "core/protocol/describe_transactions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/list_transactions.h"
#include "core/protocol/produce.h"
#include "core/protocol/records.h"
#include "core/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;
using protocol::api_key;
using protocol::error_code;

int64_t now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

struct producer_identity {
  core::producer_id id{-1};
  core::producer_epoch epoch{-1};
};

class txn_describe : public broker_test {
 protected:
  template <class Response, class Request>
  std::optional<Response> call(api_key key, int16_t version, const Request& body) {
    return raw().call<Response>(key, version, body);
  }

  /// InitProducerId v4: `tid` nullopt = an idempotent producer.
  producer_identity init(std::optional<std::string> tid) {
    protocol::init_producer_id_request req;
    req.transactional_id = std::move(tid);
    req.transaction_timeout_ms = 60000;
    auto r = call<protocol::init_producer_id_response>(api_key::init_producer_id, 4, req);
    EXPECT_TRUE(r && r->error_code == error_code::none);
    if (!r) return {};
    return {r->producer_id, r->producer_epoch};
  }

  /// Produces `count` records with timestamps ts, ts+1, ... as producer `p` from `sequence`:
  /// a transactional batch at Produce v12 (which adds the partition to the transaction), an
  /// idempotent one at v9. Returns the base offset.
  int64_t produce(const std::string& t, const producer_identity& p, int32_t sequence, int count,
                  int64_t ts, std::optional<std::string> tid = std::nullopt) {
    std::vector<core::raw_record> rs;
    for (int i = 0; i < count; ++i) {
      core::raw_record r;
      r.key = core::to_bytes("k" + std::to_string(i));
      r.value = core::to_bytes("v" + std::to_string(i));
      r.ts = core::from_epoch_ms(ts + i);
      rs.push_back(std::move(r));
    }
    protocol::record_batch_options o;
    o.transactional = tid.has_value();
    o.producer_id = p.id;
    o.producer_epoch = p.epoch;
    o.base_sequence = sequence;
    auto batch = protocol::encode_record_batch(rs, o);
    EXPECT_TRUE(batch);
    if (!batch) return -1;
    const int16_t version = tid ? 12 : 9;
    auto r = call<protocol::produce_response>(api_key::produce, version,
                                              produce_of(t, 0, batch.value(), -1, tid));
    EXPECT_TRUE(r && r->responses.size() == 1 && r->responses[0].partition_responses.size() == 1);
    if (!r || r->responses.empty() || r->responses[0].partition_responses.empty()) return -1;
    const auto& pr = r->responses[0].partition_responses[0];
    EXPECT_EQ(pr.error_code, error_code::none);
    return pr.base_offset.value();
  }

  void end_txn(const std::string& tid, const producer_identity& p, bool commit) {
    protocol::end_txn_request req;
    req.transactional_id = tid;
    req.producer_id = p.id;
    req.producer_epoch = p.epoch;
    req.committed = commit;
    auto r = call<protocol::end_txn_response>(api_key::end_txn, 3, req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, error_code::none);
  }

  std::optional<protocol::describe_producers_response> describe_producers(
      std::vector<protocol::describe_producers_request::topic_request> topics) {
    protocol::describe_producers_request req;
    req.topics = std::move(topics);
    return call<protocol::describe_producers_response>(api_key::describe_producers, 0, req);
  }

  /// ListTransactions at `version`: the listed ids and their states, or nullopt on failure.
  std::optional<protocol::list_transactions_response> list(int16_t version,
                                                           protocol::list_transactions_request req) {
    return call<protocol::list_transactions_response>(api_key::list_transactions, version, req);
  }

  /// The transactional id → state of a ListTransactions answer (which must succeed).
  std::map<std::string, std::string> listed(int16_t version, protocol::list_transactions_request req) {
    auto r = list(version, std::move(req));
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->error_code, error_code::none);
    std::map<std::string, std::string> out;
    for (const auto& s : r->transaction_states) out[s.transactional_id] = s.transaction_state;
    return out;
  }

  std::optional<protocol::describe_transactions_response> describe_transactions(
      std::vector<std::string> ids) {
    protocol::describe_transactions_request req;
    req.transactional_ids = std::move(ids);
    return call<protocol::describe_transactions_response>(api_key::describe_transactions, 0, req);
  }

};

TEST_F(txn_describe, describe_producers_shows_idempotent_and_transactional_producers) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const int64_t ts = now_ms() - 1000;

  const auto idempotent = init(std::nullopt);
  ASSERT_EQ(produce(t, idempotent, 0, 3, ts), 0);  // offsets 0..2, sequences 0..2
  const std::string tid = "dp-" + t;
  const auto transactional = init(tid);
  ASSERT_EQ(produce(t, transactional, 0, 2, ts + 10, tid), 3);  // offsets 3..4: the transaction opens at 3

  auto r = describe_producers({{t, {core::partition_id{0}, core::partition_id{5}}},
                               {"no-such-topic", {core::partition_id{0}}},
                               {"bad/name", {core::partition_id{0}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->topics.size(), 3u);
  ASSERT_EQ(r->topics[0].name, t);
  ASSERT_EQ(r->topics[0].partitions.size(), 2u);
  const auto& p0 = r->topics[0].partitions[0];
  EXPECT_EQ(p0.partition_index, core::partition_id{0});
  EXPECT_EQ(p0.error_code, error_code::none);
  EXPECT_FALSE(p0.error_message);
  // Both producers, by producer id (the transactional one was allocated later).
  ASSERT_EQ(p0.active_producers.size(), 2u);
  const auto& i = p0.active_producers[0];
  EXPECT_EQ(i.producer_id, idempotent.id);
  EXPECT_EQ(i.producer_epoch, idempotent.epoch.value());
  EXPECT_EQ(i.last_sequence, 2);
  EXPECT_EQ(i.last_timestamp, ts + 2);  // the newest batch's max timestamp
  EXPECT_EQ(i.coordinator_epoch, -1);   // no marker yet
  EXPECT_EQ(i.current_txn_start_offset, core::offset{-1});
  const auto& x = p0.active_producers[1];
  EXPECT_EQ(x.producer_id, transactional.id);
  EXPECT_EQ(x.producer_epoch, transactional.epoch.value());
  EXPECT_EQ(x.last_sequence, 1);
  EXPECT_EQ(x.last_timestamp, ts + 11);
  EXPECT_EQ(x.coordinator_epoch, -1);
  EXPECT_EQ(x.current_txn_start_offset, core::offset{3});
  // A partition the topic does not have: no message, as Kafka's replica manager answers.
  const auto& p5 = r->topics[0].partitions[1];
  EXPECT_EQ(p5.partition_index, core::partition_id{5});
  EXPECT_EQ(p5.error_code, error_code::unknown_topic_or_partition);
  EXPECT_FALSE(p5.error_message);
  EXPECT_TRUE(p5.active_producers.empty());
  // Topic-level failures carry a message.
  ASSERT_EQ(r->topics[1].partitions.size(), 1u);
  EXPECT_EQ(r->topics[1].partitions[0].error_code, error_code::unknown_topic_or_partition);
  EXPECT_TRUE(r->topics[1].partitions[0].error_message);
  ASSERT_EQ(r->topics[2].partitions.size(), 1u);
  EXPECT_EQ(r->topics[2].partitions[0].error_code, error_code::invalid_topic_exception);
  EXPECT_TRUE(r->topics[2].partitions[0].error_message);

  // The commit marker closes the transaction and stamps the coordinator epoch; the producer
  // stays, with its sequences.
  end_txn(tid, transactional, true);
  auto after = describe_producers({{t, {core::partition_id{0}}}});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->topics.at(0).partitions.at(0).active_producers.size(), 2u);
  const auto& committed = after->topics[0].partitions[0].active_producers[1];
  EXPECT_EQ(committed.producer_id, transactional.id);
  EXPECT_EQ(committed.current_txn_start_offset, core::offset{-1});
  EXPECT_EQ(committed.coordinator_epoch, 0);
  EXPECT_EQ(committed.last_sequence, 1);
  EXPECT_GE(committed.last_timestamp, ts + 11);

  // An empty request is answered with nothing.
  auto none = describe_producers({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->topics.empty());
}

TEST_F(txn_describe, list_transactions_filters_by_state_producer_duration_and_pattern) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const int64_t opened_before = now_ms();
  const auto ongoing = init("lt-ongoing");
  produce(t, ongoing, 0, 1, now_ms(), "lt-ongoing");
  const auto empty = init("lt-empty");
  const auto done = init("lt-done");
  produce(t, done, 0, 1, now_ms(), "lt-done");
  end_txn("lt-done", done, true);
  const std::map<std::string, std::string> all = {
      {"lt-done", "CompleteCommit"}, {"lt-empty", "Empty"}, {"lt-ongoing", "Ongoing"}};

  // No filters, at every version (v1's duration -1 and v2's null pattern filter nothing).
  for (int16_t v = 0; v <= 2; ++v) {
    SCOPED_TRACE(v);
    EXPECT_EQ(listed(v, {}), all);
  }
  auto with_ids = list(0, {});
  ASSERT_TRUE(with_ids);
  for (const auto& s : with_ids->transaction_states) {
    if (s.transactional_id == "lt-empty") {
      EXPECT_EQ(s.producer_id, empty.id);
    }
  }

  // States: names as Kafka spells them; an unknown name is echoed (once) and matches nothing;
  // Dead is a name Kafka knows, although no transaction here is ever in it.
  protocol::list_transactions_request states;
  states.state_filters = {"Ongoing", "Bogus", "Dead", "Bogus"};
  auto by_state = list(0, states);
  ASSERT_TRUE(by_state);
  EXPECT_EQ(by_state->error_code, error_code::none);
  EXPECT_EQ(by_state->unknown_state_filters, std::vector<std::string>{"Bogus"});
  ASSERT_EQ(by_state->transaction_states.size(), 1u);
  EXPECT_EQ(by_state->transaction_states[0].transactional_id, "lt-ongoing");
  EXPECT_EQ(by_state->transaction_states[0].producer_id, ongoing.id);
  EXPECT_EQ(by_state->transaction_states[0].transaction_state, "Ongoing");
  states.state_filters = {"Bogus"};
  auto only_unknown = list(1, states);
  ASSERT_TRUE(only_unknown);
  EXPECT_TRUE(only_unknown->transaction_states.empty());
  EXPECT_EQ(only_unknown->unknown_state_filters, std::vector<std::string>{"Bogus"});
  states.state_filters = {"ongoing"};  // case matters
  EXPECT_TRUE(listed(0, states).empty());
  states.state_filters = {"Empty", "CompleteCommit"};
  EXPECT_EQ(listed(0, states),
            (std::map<std::string, std::string>{{"lt-done", "CompleteCommit"}, {"lt-empty", "Empty"}}));

  // Producer ids.
  protocol::list_transactions_request producers;
  producers.producer_id_filters = {empty.id, core::producer_id{999999}};
  EXPECT_EQ(listed(0, producers), (std::map<std::string, std::string>{{"lt-empty", "Empty"}}));
  producers.state_filters = {"Ongoing"};
  EXPECT_TRUE(listed(0, producers).empty());

  // Duration (v1+): transactions started longer ago than the filter. As in Kafka, an id with
  // no open transaction has start time -1 and passes every duration.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  protocol::list_transactions_request duration;
  duration.duration_filter = 0;
  EXPECT_EQ(listed(1, duration), all);
  duration.duration_filter = now_ms() - opened_before + 3'600'000;
  EXPECT_EQ(listed(1, duration),
            (std::map<std::string, std::string>{{"lt-done", "CompleteCommit"}, {"lt-empty", "Empty"}}));
  duration.state_filters = {"Ongoing"};
  EXPECT_TRUE(listed(2, duration).empty());
  duration.duration_filter = 5;  // open for at least 20 ms
  EXPECT_EQ(listed(2, duration), (std::map<std::string, std::string>{{"lt-ongoing", "Ongoing"}}));

  // Pattern (v2+): the whole id must match; null or empty filters nothing.
  auto by_pattern = [&](std::optional<std::string> pattern) {
    protocol::list_transactions_request req;
    req.transactional_id_pattern = std::move(pattern);
    return listed(2, req);
  };
  EXPECT_EQ(by_pattern("lt-.*"), all);
  EXPECT_EQ(by_pattern(".*-empty"), (std::map<std::string, std::string>{{"lt-empty", "Empty"}}));
  EXPECT_TRUE(by_pattern("ongoing").empty());  // a substring is not a match
  EXPECT_TRUE(by_pattern("lt").empty());
  EXPECT_EQ(by_pattern("lt-(ongoing|done)"),
            (std::map<std::string, std::string>{{"lt-done", "CompleteCommit"}, {"lt-ongoing", "Ongoing"}}));
  EXPECT_EQ(by_pattern("lt-[a-e].*"),
            (std::map<std::string, std::string>{{"lt-done", "CompleteCommit"}, {"lt-empty", "Empty"}}));
  EXPECT_EQ(by_pattern(""), all);
  EXPECT_EQ(by_pattern(std::nullopt), all);
  // Every filter at once.
  protocol::list_transactions_request every;
  every.state_filters = {"Ongoing", "CompleteCommit"};
  every.producer_id_filters = {ongoing.id, done.id, empty.id};
  every.duration_filter = 5;
  every.transactional_id_pattern = ".*on.*";
  EXPECT_EQ(listed(2, every),
            (std::map<std::string, std::string>{{"lt-done", "CompleteCommit"}, {"lt-ongoing", "Ongoing"}}));

  // A pattern that does not compile — or uses what RE2 refuses (lookahead, backreference) —
  // fails the whole request, with nothing else in the answer.
  for (const char* bad : {"(ab(cd", "lt-[", "(?=lt).*", "(l)\\1.*", "*"}) {
    SCOPED_TRACE(bad);
    protocol::list_transactions_request req;
    req.state_filters = {"Bogus"};
    req.transactional_id_pattern = bad;
    auto r = list(2, req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, error_code::invalid_regular_expression);
    EXPECT_TRUE(r->unknown_state_filters.empty());
    EXPECT_TRUE(r->transaction_states.empty());
  }
}

TEST_F(txn_describe, describe_transactions_reports_an_ongoing_transaction_and_unknown_ids) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  const std::string tid = "dt-" + t;
  const auto p = init(tid);
  const auto idle = init("dt-idle");

  // Before any record: Empty, no start time, no partitions.
  auto before = describe_transactions({tid});
  ASSERT_TRUE(before);
  ASSERT_EQ(before->transaction_states.size(), 1u);
  EXPECT_EQ(before->transaction_states[0].error_code, error_code::none);
  EXPECT_EQ(before->transaction_states[0].transaction_state, "Empty");
  EXPECT_EQ(before->transaction_states[0].transaction_start_time_ms, -1);
  EXPECT_TRUE(before->transaction_states[0].topics.empty());

  const int64_t started_after = now_ms();
  produce(t, p, 0, 2, now_ms(), tid);
  const int64_t started_before = now_ms();

  auto r = describe_transactions({tid, "dt-unknown", "", "dt-idle"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->transaction_states.size(), 4u);
  const auto& s = r->transaction_states[0];
  EXPECT_EQ(s.error_code, error_code::none);
  EXPECT_EQ(s.transactional_id, tid);
  EXPECT_EQ(s.transaction_state, "Ongoing");
  EXPECT_EQ(s.transaction_timeout_ms, 60000);
  EXPECT_GE(s.transaction_start_time_ms, started_after);
  EXPECT_LE(s.transaction_start_time_ms, started_before);
  EXPECT_EQ(s.producer_id, p.id);
  EXPECT_EQ(s.producer_epoch, p.epoch);
  ASSERT_EQ(s.topics.size(), 1u);
  EXPECT_EQ(s.topics[0].topic, t);
  EXPECT_EQ(s.topics[0].partitions, std::vector<core::partition_id>{core::partition_id{0}});

  // Unknown: TRANSACTIONAL_ID_NOT_FOUND with the schema's defaults elsewhere.
  protocol::describe_transactions_response::transaction_state unknown;
  unknown.error_code = error_code::transactional_id_not_found;
  unknown.transactional_id = "dt-unknown";
  EXPECT_EQ(r->transaction_states[1], unknown);
  EXPECT_EQ(r->transaction_states[2].error_code, error_code::invalid_request);
  EXPECT_EQ(r->transaction_states[3].transaction_state, "Empty");
  EXPECT_EQ(r->transaction_states[3].producer_id, idle.id);

  // Committed: CompleteCommit, the partitions gone.
  end_txn(tid, p, true);
  auto after = describe_transactions({tid});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->transaction_states.size(), 1u);
  EXPECT_EQ(after->transaction_states[0].transaction_state, "CompleteCommit");
  EXPECT_TRUE(after->transaction_states[0].topics.empty());

  auto nothing = describe_transactions({});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->transaction_states.empty());
}

}  // namespace
}  // namespace sluice::testing
