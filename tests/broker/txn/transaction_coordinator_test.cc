// The transaction coordinator on a real log manager with a manual scheduler: producer ids,
// the transaction state machine and its errors, markers, fencing, timeouts, and recovery of
// every state from __transaction_state.

#include "broker/txn/transaction_coordinator.h"

#include "broker/broker_config.h"
#include "core/protocol/records.h"
#include "broker/txn/log_format.h"
#include "core/murmur2.h"
#include "tests/broker/group/group_test_util.h"
#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::broker::txn {
namespace {

using group::test::capture;
using group::test::manual_scheduler;
using group::test::temp_dir;

/// The last batch of a partition: whether it is a marker and of which kind.
struct last_batch {
  bool control = false;
  bool commit = false;
  int64_t producer_id = -1;
  int16_t epoch = -1;
};

class txn_coordinator_test : public ::testing::Test, protected group::test::coordinator_storage {
 protected:
  void SetUp() override {
    open();
    ASSERT_TRUE(logs->create_topic("orders", 2, {}));
    ASSERT_TRUE(logs->create_topic("payments", 1, {}));
  }
  void TearDown() override { close(); }

  void open() {
    open_logs();
    auto g = group::group_coordinator::open(*logs, appends, {});
    ASSERT_TRUE(g) << g.error().message();
    groups = std::move(g).value();
    auto c = transaction_coordinator::open(*logs, appends, *groups, dir.path(), config);
    ASSERT_TRUE(c) << c.error().message();
    coord = std::move(c).value();
  }
  void close() {
    if (coord) coord->shutdown();
    coord.reset();
    if (groups) groups->shutdown();
    groups.reset();
    close_logs();
  }
  void reopen() {
    close();
    open();
  }

  init_producer_id_result init(std::optional<std::string> id, int32_t timeout = 60000,
                               int64_t current_id = -1, int16_t current_epoch = -1) {
    capture<init_producer_id_result> c;
    coord->init_producer_id(std::move(id), timeout, core::producer_id{current_id},
                            core::producer_epoch{current_epoch}, c.fn());
    sched.advance(0);
    EXPECT_TRUE(c.ready());
    return c.ready() ? *c : init_producer_id_result{};
  }
  errc add(const std::string& id, const init_producer_id_result& p, std::vector<core::topic_partition> tps) {
    capture<errc> c;
    coord->add_partitions(id, p.producer_id, p.producer_epoch, std::move(tps), c.fn());
    sched.advance(0);
    EXPECT_TRUE(c.ready());
    return c.ready() ? *c : errc::corrupt_log;
  }
  errc end(const std::string& id, const init_producer_id_result& p, bool commit) {
    const end_txn_result r = end_with(end_txn_protocol::keep_epoch, id, p.producer_id.value(),
                                      p.producer_epoch.value(), commit);
    EXPECT_EQ(r.producer_id.value(), -1) << "transaction version 0/1 reports no identity";
    EXPECT_EQ(r.producer_epoch.value(), -1);
    return r.error;
  }
  /// EndTxn with the transaction version 2 rules (EndTxn v5+).
  end_txn_result end_v2(const std::string& id, int64_t pid, int16_t epoch, bool commit) {
    return end_with(end_txn_protocol::bump_epoch, id, pid, epoch, commit);
  }
  end_txn_result end_with(end_txn_protocol protocol, const std::string& id, int64_t pid, int16_t epoch,
                          bool commit) {
    capture<end_txn_result> c;
    coord->end_transaction(id, core::producer_id{pid}, core::producer_epoch{epoch}, commit, protocol, c.fn());
    sched.advance(0);
    EXPECT_TRUE(c.ready());
    return c.ready() ? *c : end_txn_result{errc::corrupt_log};
  }
  /// Appends `m` as the record of `id` to `__transaction_state`, as if a previous run had
  /// written it; `reopen()` then loads it.
  void write_state(const std::string& id, const txn_metadata& m) {
    core::raw_record rec;
    rec.key = encode_txn_key(id);
    rec.value = encode_txn_value(m);
    auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&rec, 1), {});
    ASSERT_TRUE(batch);
    const int32_t part = core::partition_for_key(core::as_bytes(id), config.state_topic_partitions);
    auto plog = logs->get({"__transaction_state", core::partition_id{part}});
    ASSERT_TRUE(plog);
    ASSERT_TRUE(plog->append(batch.value()));
  }
  txn_state state(const std::string& id) {
    auto d = coord->describe(id);
    EXPECT_TRUE(d);
    return d ? d->state : txn_state::empty;
  }
  last_batch last(const core::topic_partition& tp) {
    last_batch out;
    auto plog = logs->get(tp);
    EXPECT_TRUE(plog);
    auto read = plog->read(plog->log_start_offset(), 1u << 20, plog->log_end_offset());
    EXPECT_TRUE(read);
    protocol::batch_iterator it(read.value().records);
    for (;;) {
      auto b = it.next();
      EXPECT_TRUE(b);
      if (!b || !b.value()) break;
      auto reader = protocol::record_batch_reader::open(*b.value());
      EXPECT_TRUE(reader);
      const auto& h = reader.value().header();
      out = {h.is_control(), false, h.producer_id.value(), h.producer_epoch.value()};
      if (h.is_control()) {
        auto rec = reader.value().next();
        EXPECT_TRUE(rec && rec.value() && rec.value()->record.key);
        if (rec && rec.value() && rec.value()->record.key) {
          const auto& key = *rec.value()->record.key;
          EXPECT_EQ(key.size(), 4u);
          out.commit = static_cast<uint8_t>(key[3]) == 1;
        }
      }
    }
    return out;
  }

  const core::topic_partition orders0{"orders", core::partition_id{0}};
  const core::topic_partition payments0{"payments", core::partition_id{0}};
  const std::vector<core::topic_partition> orders0_list{orders0};
  txn_config config;
  std::unique_ptr<group::group_coordinator> groups;
  std::unique_ptr<transaction_coordinator> coord;
  /// Long-poll wake-ups seen per partition (see `watch`).
  std::map<core::topic_partition, int> markers;
  std::vector<std::shared_ptr<fetch_waiters::waiter>> watchers;

  /// Parks a long-poll waiter on `tp`, as a Fetch would; a marker written there wakes it.
  void watch(const core::topic_partition& tp) {
    auto w = std::make_shared<fetch_waiters::waiter>([this, tp] { ++markers[tp]; });
    appends.waiters().add(tp, w);
    watchers.push_back(std::move(w));
  }
};

TEST_F(txn_coordinator_test, idempotent_producer_ids_are_never_reused_across_restarts) {
  auto a = init(std::nullopt);
  auto b = init(std::nullopt);
  ASSERT_EQ(a.error, errc::ok);
  EXPECT_EQ(a.producer_epoch.value(), 0);
  EXPECT_NE(a.producer_id, b.producer_id);
  reopen();
  auto c = init(std::nullopt);
  EXPECT_GT(c.producer_id.value(), b.producer_id.value());
}

TEST_F(txn_coordinator_test, init_validates_id_and_timeout) {
  EXPECT_EQ(init(std::string{}).error, errc::invalid_request);
  EXPECT_EQ(init("t", 0).error, errc::invalid_transaction_timeout);
  EXPECT_EQ(init("t", config.max_timeout_ms + 1).error, errc::invalid_transaction_timeout);
  EXPECT_FALSE(coord->describe("t")) << "nothing is remembered of a refused id";
}

TEST_F(txn_coordinator_test, commit_writes_markers_and_each_init_bumps_the_epoch) {
  auto p = init("shop");
  ASSERT_EQ(p.error, errc::ok);
  EXPECT_EQ(p.producer_epoch.value(), 0);
  EXPECT_EQ(state("shop"), txn_state::empty);
  EXPECT_EQ(end("shop", p, true), errc::invalid_txn_state) << "nothing to commit";

  ASSERT_EQ(add("shop", p, {orders0, payments0}), errc::ok);
  EXPECT_EQ(state("shop"), txn_state::ongoing);
  EXPECT_EQ(add("shop", p, {orders0}), errc::ok) << "a retry changes nothing";
  for (const auto& tp : {orders0, payments0, core::topic_partition{"orders", core::partition_id{1}}}) watch(tp);
  ASSERT_EQ(end("shop", p, true), errc::ok);
  EXPECT_EQ(state("shop"), txn_state::complete_commit);
  for (const auto& tp : {orders0, payments0}) {
    auto m = last(tp);
    EXPECT_TRUE(m.control) << tp;
    EXPECT_TRUE(m.commit) << tp;
    EXPECT_EQ(m.producer_id, p.producer_id.value());
    EXPECT_EQ(markers[tp], 1);
  }
  EXPECT_EQ(markers.count({"orders", core::partition_id{1}}), 0u) << "only partitions of the transaction";
  EXPECT_EQ(end("shop", p, true), errc::ok) << "a retried commit is answered again";
  EXPECT_EQ(end("shop", p, false), errc::invalid_txn_state) << "but it cannot turn into an abort";

  ASSERT_EQ(add("shop", p, {orders0}), errc::ok);
  ASSERT_EQ(end("shop", p, false), errc::ok);
  EXPECT_FALSE(last(orders0).commit);
  EXPECT_EQ(state("shop"), txn_state::complete_abort);

  auto again = init("shop");
  EXPECT_EQ(again.producer_id, p.producer_id);
  EXPECT_EQ(again.producer_epoch.value(), 1);
  EXPECT_EQ(add("shop", p, {orders0}), errc::producer_fenced) << "the old epoch is fenced";
  EXPECT_EQ(end("shop", p, true), errc::producer_fenced);
  init_producer_id_result stranger{errc::ok, core::producer_id{p.producer_id.value() + 100}, core::producer_epoch{1}};
  EXPECT_EQ(add("shop", stranger, {orders0}), errc::invalid_producer_id_mapping);
  EXPECT_EQ(add("nobody", again, {orders0}), errc::invalid_producer_id_mapping);
}

TEST_F(txn_coordinator_test, kip_360_current_identity_must_match) {
  auto p = init("bump");
  EXPECT_EQ(init("bump", 60000, p.producer_id.value(), 5).error, errc::producer_fenced);
  auto bumped = init("bump", 60000, p.producer_id.value(), p.producer_epoch.value());
  EXPECT_EQ(bumped.error, errc::ok);
  EXPECT_EQ(bumped.producer_epoch.value(), 1);
}

TEST_F(txn_coordinator_test, a_new_instance_aborts_the_open_transaction_and_fences_the_old_one) {
  auto old = init("zombie");
  ASSERT_EQ(add("zombie", old, {orders0}), errc::ok);
  EXPECT_EQ(init("zombie").error, errc::concurrent_transactions) << "the abort runs first";
  EXPECT_EQ(state("zombie"), txn_state::complete_abort);
  auto m = last(orders0);
  EXPECT_TRUE(m.control);
  EXPECT_FALSE(m.commit);
  EXPECT_EQ(m.epoch, 1) << "the abort marker carries the bumped epoch";
  auto fresh = init("zombie");
  ASSERT_EQ(fresh.error, errc::ok);
  EXPECT_EQ(fresh.producer_epoch.value(), 2);
  EXPECT_EQ(end("zombie", old, true), errc::producer_fenced);
}

TEST_F(txn_coordinator_test, an_expired_transaction_is_aborted_with_a_bumped_epoch) {
  auto p = init("slow", 1);
  ASSERT_EQ(add("slow", p, {orders0}), errc::ok);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the timeout is wall-clock
  coord->abort_timed_out();
  sched.advance(0);
  EXPECT_EQ(state("slow"), txn_state::complete_abort);
  EXPECT_EQ(coord->describe("slow")->producer_epoch.value(), 1);
  EXPECT_FALSE(last(orders0).commit);
  EXPECT_EQ(end("slow", p, true), errc::producer_fenced) << "the producer learns it was fenced";
}

TEST_F(txn_coordinator_test, offsets_commit_with_the_transaction) {
  auto p = init("copier");
  capture<errc> added;
  coord->add_offsets("copier", p.producer_id, p.producer_epoch, "app", added.fn());
  sched.advance(0);
  ASSERT_TRUE(added.ready());
  ASSERT_EQ(*added, errc::ok);
  EXPECT_EQ(coord->check_offset_commit("copier", p.producer_id, p.producer_epoch, "app"), errc::ok);
  // As Kafka, the transaction holds the group's __consumer_offsets partition: a group in
  // another partition was not added.
  std::string other = "other";
  while (groups->partition_for(other) == groups->partition_for("app")) other += "x";
  EXPECT_EQ(coord->check_offset_commit("copier", p.producer_id, p.producer_epoch, other),
            errc::invalid_txn_state);
  EXPECT_TRUE(coord->describe("copier")->partitions.contains(
      {"__consumer_offsets", core::partition_id{groups->partition_for("app")}}));
  group::offset_commit_request r;
  r.group_id = "app";
  r.offsets.push_back({orders0, 17, -1, std::nullopt});
  r.transaction = group::txn_producer{p.producer_id, p.producer_epoch};
  capture<group::offset_commit_result> committed;
  groups->commit_offsets(r, committed.fn());
  sched.advance(0);
  ASSERT_TRUE(committed.ready());
  ASSERT_EQ(committed->at(0), group::errc::ok);
  EXPECT_EQ(groups->fetch_offsets({"app", orders0_list, false}).offsets.at(0).offset, -1);
  ASSERT_EQ(end("copier", p, true), errc::ok);
  EXPECT_EQ(groups->fetch_offsets({"app", orders0_list, true}).offsets.at(0).offset, 17);
  reopen();
  EXPECT_EQ(groups->fetch_offsets({"app", orders0_list, true}).offsets.at(0).offset, 17)
      << "the marker in __consumer_offsets makes the commit durable";
}

TEST_F(txn_coordinator_test, state_survives_a_restart_and_prepared_transactions_are_completed) {
  auto p = init("kept");
  ASSERT_EQ(add("kept", p, {orders0}), errc::ok);
  reopen();
  EXPECT_EQ(state("kept"), txn_state::ongoing) << "an open transaction stays open (its timeout runs on)";
  EXPECT_EQ(end("kept", p, true), errc::ok);
  EXPECT_TRUE(last(orders0).commit);

  // A crash after PrepareCommit was written but before any marker: append that record by hand.
  txn_metadata prepared;
  prepared.producer_id = core::producer_id{4242};
  prepared.producer_epoch = core::producer_epoch{3};
  prepared.state = txn_state::prepare_commit;
  prepared.partitions = {payments0};
  prepared.start_ms = 1;
  core::raw_record rec;
  rec.key = encode_txn_key("crashed");
  rec.value = encode_txn_value(prepared);
  auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&rec, 1), {});
  ASSERT_TRUE(batch);
  bool appended = false;
  for (int32_t part = 0; part < config.state_topic_partitions; ++part) {
    if (part != core::partition_for_key(core::as_bytes("crashed"), config.state_topic_partitions)) continue;
    auto plog = logs->get({"__transaction_state", core::partition_id{part}});
    ASSERT_TRUE(plog);
    ASSERT_TRUE(plog->append(batch.value()));
    appended = true;
  }
  ASSERT_TRUE(appended);
  reopen();
  EXPECT_EQ(state("crashed"), txn_state::complete_commit) << "completed at start-up";
  auto m = last(payments0);
  EXPECT_TRUE(m.control);
  EXPECT_TRUE(m.commit);
  EXPECT_EQ(m.producer_id, 4242);
  reopen();
  EXPECT_EQ(state("crashed"), txn_state::complete_commit) << "and the completion was recorded";
}

TEST_F(txn_coordinator_test, transaction_version_2_ends_bump_the_epoch) {
  auto p = init("tv2");
  const int64_t pid = p.producer_id.value();
  EXPECT_EQ(end_v2("tv2", pid, 0, true).error, errc::invalid_txn_state) << "nothing to commit";
  ASSERT_EQ(add("tv2", p, {orders0}), errc::ok);
  EXPECT_EQ(end_v2("tv2", pid, 1, true).error, errc::producer_fenced) << "an open transaction needs the current epoch";
  const auto committed = end_v2("tv2", pid, 0, true);
  ASSERT_EQ(committed.error, errc::ok);
  EXPECT_EQ(committed.producer_id.value(), pid);
  EXPECT_EQ(committed.producer_epoch.value(), 1) << "the answer names the epoch to use next";
  EXPECT_EQ(state("tv2"), txn_state::complete_commit);
  EXPECT_EQ(coord->describe("tv2")->producer_epoch.value(), 1);
  auto m = last(orders0);
  EXPECT_TRUE(m.control);
  EXPECT_TRUE(m.commit);
  EXPECT_EQ(m.epoch, 1) << "the marker carries the bumped epoch";

  const auto retried = end_v2("tv2", pid, 0, true);
  EXPECT_EQ(retried.error, errc::ok) << "a retry with the epoch before the bump gets its answer again";
  EXPECT_EQ(retried.producer_epoch.value(), 1);
  EXPECT_EQ(end_v2("tv2", pid, 0, false).error, errc::invalid_txn_state) << "a retry cannot change the outcome";
  EXPECT_EQ(end_v2("tv2", pid, 1, true).error, errc::invalid_txn_state) << "nothing open to commit";
  EXPECT_EQ(add("tv2", p, {orders0}), errc::producer_fenced) << "the epoch the transaction ran with is fenced";

  // An abort with the current epoch from Complete* or Empty ends an empty transaction.
  const auto aborted = end_v2("tv2", pid, 1, false);
  ASSERT_EQ(aborted.error, errc::ok);
  EXPECT_EQ(aborted.producer_epoch.value(), 2);
  EXPECT_EQ(state("tv2"), txn_state::complete_abort);
  EXPECT_EQ(end_v2("tv2", pid, 1, false).producer_epoch.value(), 2) << "retried";
  EXPECT_EQ(end_v2("tv2", pid, 2, true).error, errc::invalid_txn_state);
  EXPECT_EQ(end("tv2", {errc::ok, p.producer_id, core::producer_epoch{2}}, false), errc::ok)
      << "an EndTxn v0–4 retry of the abort";

  auto next = init("tv2");
  ASSERT_EQ(next.producer_epoch.value(), 3);
  EXPECT_EQ(end_v2("tv2", pid, 3, true).error, errc::invalid_txn_state);
  EXPECT_EQ(end_v2("tv2", pid, 3, false).producer_epoch.value(), 4);

  EXPECT_EQ(end_v2("tv2", pid, 9, false).error, errc::producer_fenced);
  EXPECT_EQ(end_v2("tv2", pid + 100, 4, false).error, errc::invalid_producer_id_mapping);
  EXPECT_EQ(end_v2("nobody", pid, 4, false).error, errc::invalid_producer_id_mapping);
  EXPECT_EQ(end_v2("", pid, 4, false).error, errc::invalid_request);
  EXPECT_EQ(end("", p, false), errc::invalid_request);
}

TEST_F(txn_coordinator_test, an_exhausted_epoch_moves_to_a_new_producer_id) {
  txn_metadata open;
  open.producer_id = core::producer_id{4343};
  open.producer_epoch = core::producer_epoch{32766};
  open.state = txn_state::ongoing;
  open.partitions = {orders0};
  open.start_ms = 1;
  write_state("old", open);
  reopen();
  const auto r = end_v2("old", 4343, 32766, true);
  ASSERT_EQ(r.error, errc::ok);
  EXPECT_NE(r.producer_id.value(), 4343);
  EXPECT_GE(r.producer_id.value(), 0);
  EXPECT_EQ(r.producer_epoch.value(), 0);
  auto m = last(orders0);
  EXPECT_TRUE(m.commit);
  EXPECT_EQ(m.producer_id, 4343) << "the marker closes the old producer's transaction";
  EXPECT_EQ(m.epoch, 32767);
  EXPECT_EQ(coord->describe("old")->producer_id, r.producer_id);
  const auto retried = end_v2("old", 4343, 32766, true);
  EXPECT_EQ(retried.error, errc::ok) << "a retry under the old producer id";
  EXPECT_EQ(retried.producer_id, r.producer_id);
  EXPECT_EQ(retried.producer_epoch.value(), 0);
  init_producer_id_result fresh{errc::ok, r.producer_id, r.producer_epoch};
  ASSERT_EQ(add("old", fresh, {orders0}), errc::ok);
  EXPECT_EQ(end_v2("old", r.producer_id.value(), 0, false).producer_epoch.value(), 1);
}

TEST_F(txn_coordinator_test, records_are_kafkas_transaction_log_values) {
  auto p = init("fmt");
  ASSERT_EQ(add("fmt", p, {orders0, payments0}), errc::ok);
  ASSERT_EQ(end_v2("fmt", p.producer_id.value(), p.producer_epoch.value(), true).error, errc::ok);
  const int32_t part = core::partition_for_key(core::as_bytes("fmt"), config.state_topic_partitions);
  auto plog = logs->get({"__transaction_state", core::partition_id{part}});
  ASSERT_TRUE(plog);
  std::vector<txn_metadata> written;
  ASSERT_TRUE(storage::replay_log(*plog, [&](protocol::record_batch_reader& r, int64_t) -> result<void> {
    for (;;) {
      SLUICE_TRY(auto rec, r.next());
      if (!rec) return core::success();
      EXPECT_EQ(*rec->record.key, encode_txn_key("fmt"));
      EXPECT_EQ(static_cast<uint8_t>((*rec->record.value)[1]), 1) << "TransactionLogValue v1";
      SLUICE_TRY(auto m, decode_txn_value(*rec->record.value));
      EXPECT_TRUE(m.has_value());
      if (m) written.push_back(*m);
    }
  }));
  ASSERT_EQ(written.size(), 4u);  // Empty, Ongoing, PrepareCommit, CompleteCommit
  EXPECT_EQ(written[0].state, txn_state::empty);
  EXPECT_EQ(written[1].state, txn_state::ongoing);
  EXPECT_EQ(written[1].partitions, (std::set<core::topic_partition>{orders0, payments0}));
  EXPECT_EQ(written[1].client_transaction_version, 0);
  EXPECT_EQ(written[2].state, txn_state::prepare_commit);
  EXPECT_EQ(written[2].client_transaction_version, 2) << "ended under transaction version 2";
  EXPECT_EQ(written[3].state, txn_state::complete_commit);
  EXPECT_TRUE(written[3].partitions.empty());
}

TEST_F(txn_coordinator_test, values_kafka_3_wrote_are_replayed) {
  // TransactionLogValue v0 records, as Kafka 3.x writes them, appended by hand: an open
  // transaction, one prepared to abort (finished at start-up) and an expired id (Dead).
  using protocol::test::hex;
  auto put = [&](const std::string& id, core::bytes value) {
    core::raw_record rec;
    rec.key = encode_txn_key(id);
    rec.value = std::move(value);
    auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&rec, 1), {});
    ASSERT_TRUE(batch);
    const int32_t part = core::partition_for_key(core::as_bytes(id), config.state_topic_partitions);
    ASSERT_TRUE(logs->get({"__transaction_state", core::partition_id{part}})->append(batch.value()));
  };
  put("open", hex("00 00 00 00 00 00 00 00 11 11 00 02 00 00 ea 60 01"  // pid 4369, epoch 2, Ongoing
                  "00 00 00 01 00 06 'orders' 00 00 00 01 00 00 00 00"  // orders: 0
                  "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01"));
  put("aborting", hex("00 00 00 00 00 00 00 00 22 22 00 00 00 00 ea 60 03"  // pid 8738, PrepareAbort
                      "00 00 00 01 00 08 'payments' 00 00 00 01 00 00 00 00"
                      "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01"));
  put("expired", hex("00 00 00 00 00 00 00 00 33 33 00 00 00 00 ea 60 06 ff ff ff ff"
                     "00 00 00 00 00 00 00 02 ff ff ff ff ff ff ff ff"));
  reopen();
  auto open = coord->describe("open");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->state, txn_state::ongoing);
  EXPECT_EQ(open->producer_id.value(), 0x1111);
  EXPECT_EQ(open->partitions, (std::set<core::topic_partition>{orders0}));
  EXPECT_EQ(state("aborting"), txn_state::complete_abort) << "completed at start-up";
  auto m = last(payments0);
  EXPECT_TRUE(m.control);
  EXPECT_FALSE(m.commit);
  EXPECT_EQ(m.producer_id, 0x2222);
  EXPECT_FALSE(coord->describe("expired")) << "Dead: forgotten";
}

TEST_F(txn_coordinator_test, groups_sharing_an_offsets_partition_are_settled_by_its_marker) {
  // The transaction names partitions, not groups: a TxnOffsetCommit for any group of the
  // added partition is accepted, and the marker there settles all of them.
  std::string second = "b";
  while (groups->partition_for(second) != groups->partition_for("a")) second += "b";
  auto p = init("two");
  capture<errc> added;
  coord->add_offsets("two", p.producer_id, p.producer_epoch, "a", added.fn());
  sched.advance(0);
  ASSERT_EQ(*added, errc::ok);
  ASSERT_EQ(coord->check_offset_commit("two", p.producer_id, p.producer_epoch, second), errc::ok);
  for (const std::string& g : {std::string("a"), second}) {
    group::offset_commit_request r;
    r.group_id = g;
    r.offsets.push_back({orders0, 5, -1, std::nullopt});
    r.transaction = group::txn_producer{p.producer_id, p.producer_epoch};
    capture<group::offset_commit_result> committed;
    groups->commit_offsets(r, committed.fn());
    sched.advance(0);
    ASSERT_EQ(committed->at(0), group::errc::ok);
  }
  ASSERT_EQ(end("two", p, true), errc::ok);
  EXPECT_EQ(groups->fetch_offsets({"a", orders0_list, true}).offsets.at(0).offset, 5);
  EXPECT_EQ(groups->fetch_offsets({second, orders0_list, true}).offsets.at(0).offset, 5);
}

TEST_F(txn_coordinator_test, verify_answers_which_partitions_are_in_the_transaction) {
  auto p = init("check");
  auto v = coord->verify_partitions("check", p.producer_id, p.producer_epoch, {orders0});
  ASSERT_EQ(v.error, errc::ok);
  EXPECT_EQ(v.in_transaction, std::vector<bool>{false});
  ASSERT_EQ(add("check", p, {orders0}), errc::ok);
  v = coord->verify_partitions("check", p.producer_id, p.producer_epoch, {orders0, payments0, orders0});
  ASSERT_EQ(v.error, errc::ok);
  EXPECT_EQ(v.in_transaction, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(coord->verify_partitions("check", p.producer_id, core::producer_epoch{7}, {orders0}).error,
            errc::producer_fenced);
  EXPECT_EQ(coord->verify_partitions("check", core::producer_id{p.producer_id.value() + 1}, p.producer_epoch,
                                     {orders0}).error,
            errc::invalid_producer_id_mapping);
  EXPECT_EQ(coord->verify_partitions("nobody", p.producer_id, p.producer_epoch, {orders0}).error,
            errc::invalid_producer_id_mapping);
  EXPECT_EQ(coord->verify_partitions("", p.producer_id, p.producer_epoch, {orders0}).error, errc::invalid_request);
  EXPECT_EQ(state("check"), txn_state::ongoing) << "verifying adds nothing";
  ASSERT_EQ(end("check", p, true), errc::ok);
  v = coord->verify_partitions("check", p.producer_id, p.producer_epoch, {orders0});
  ASSERT_EQ(v.error, errc::ok);
  EXPECT_EQ(v.in_transaction, std::vector<bool>{false}) << "the marker ended the transaction";
}

TEST(txn_config_keys, broker_keys_reach_the_coordinator_and_shape_its_topic) {
  core::properties props{{"transaction.max.timeout.ms", "5000"},
                         {"transaction.state.log.num.partitions", "2"},
                         {"transaction.state.log.segment.bytes", "1048576"},
                         {"transaction.abort.timed.out.transaction.cleanup.interval.ms", "250"}};
  const broker_options o = to_broker_options(broker_config_def().parse(props));
  EXPECT_EQ(o.transactions.max_timeout_ms, 5000);
  EXPECT_EQ(o.transactions.state_topic_partitions, 2);
  EXPECT_EQ(o.transactions.state_topic_segment_bytes, 1048576);
  EXPECT_EQ(o.transactions.abort_check_interval_ms, 250);
  EXPECT_THROW(broker_config_def().parse({{"transaction.max.timeout.ms", "0"}}), core::config_exception);

  temp_dir dir;
  manual_scheduler sched;
  durable_appender appends{sched};
  auto logs = storage::log_manager::open(dir.path() / "data", {});
  ASSERT_TRUE(logs);
  auto groups = group::group_coordinator::open(*logs.value(), appends, {});
  ASSERT_TRUE(groups);
  auto coord = transaction_coordinator::open(*logs.value(), appends, *groups.value(), dir.path(), o.transactions);
  ASSERT_TRUE(coord);
  auto info = logs.value()->topic(std::string(transaction_state_topic));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->partitions, 2);
  EXPECT_EQ(info->configs.at("segment.bytes"), "1048576");
  EXPECT_EQ(info->configs.at("cleanup.policy"), "compact");
  capture<init_producer_id_result> too_long;
  coord.value()->init_producer_id(std::string("t"), 5001, core::producer_id{-1}, core::producer_epoch{-1},
                                  too_long.fn());
  ASSERT_TRUE(too_long.ready());
  EXPECT_EQ(too_long->error, errc::invalid_transaction_timeout) << "transaction.max.timeout.ms applies";
  coord.value()->shutdown();
  groups.value()->shutdown();
  sched.clear();
  EXPECT_TRUE(logs.value()->shutdown());
}

}  // namespace
}  // namespace sluice::broker::txn
