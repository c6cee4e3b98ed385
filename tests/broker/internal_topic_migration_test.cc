// The migration of `__consumer_offsets` and `__transaction_state` from Sluice's old record
// format to Kafka's: a data directory written with the OLD encoders (legacy_log_format.h) is
// opened by the coordinators, and its groups, committed and transactional offsets and
// transactions must all survive — also when the migration is interrupted at every step (as a
// kill -9 would), when only part of a partition's converted records made it, and across a
// second restart. Also: a directory already in Kafka's format but without the marker (copied
// from a Kafka broker) is taken as it is, and a damaged marker stops start-up.

#include "broker/internal_topic_migration.h"

#include "broker/group/group_coordinator.h"
#include "broker/group/legacy_log_format.h"
#include "broker/group/log_format.h"
#include "broker/group/log_migration.h"
#include "core/protocol/records.h"
#include "broker/storage/file.h"
#include "broker/txn/errc.h"
#include "broker/txn/legacy_log_format.h"
#include "broker/txn/log_format.h"
#include "broker/txn/log_migration.h"
#include "broker/txn/transaction_coordinator.h"
#include "core/murmur2.h"
#include "tests/broker/group/group_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::broker {
namespace {

using group::test::capture;

constexpr const char* offsets = "__consumer_offsets";
constexpr const char* txn_state_topic = "__transaction_state";
constexpr int32_t partitions = 4;

const core::topic_partition orders0{"orders", core::partition_id{0}};
const core::topic_partition orders1{"orders", core::partition_id{1}};
const core::topic_partition orders2{"orders", core::partition_id{2}};
const core::topic_partition payments0{"payments", core::partition_id{0}};

int32_t partition_of(std::string_view key) { return core::partition_for_key(core::as_bytes(key), partitions); }

core::topic_partition offsets_partition(std::string_view group) {
  return {offsets, core::partition_id{partition_of(group)}};
}

class migration_test : public ::testing::Test, protected group::test::coordinator_storage {
 protected:
  void SetUp() override {
    open_logs();
    ASSERT_TRUE(logs->create_topic("orders", 3, {}));
    ASSERT_TRUE(logs->create_topic("payments", 1, {}));
    // What the old broker created.
    ASSERT_TRUE(logs->create_topic(offsets, partitions, {{"cleanup.policy", "compact"}}));
    ASSERT_TRUE(logs->create_topic(txn_state_topic, partitions, {{"cleanup.policy", "compact"}}));
    write_old_offsets_topic();
    write_old_transaction_state();
  }
  void TearDown() override {
    close_coordinators();
    close_logs();
  }

  // ---- the old broker's data ----------------------------------------------------------------

  void append_old(std::string_view group, std::vector<core::raw_record> records,
                  protocol::record_batch_options options = {}) {
    auto batch = protocol::encode_record_batch(records, options);
    ASSERT_TRUE(batch);
    ASSERT_TRUE(logs->get(offsets_partition(group))->append(batch.value(), storage::append_origin::coordinator));
  }
  static core::raw_record old_offset(const std::string& group, const core::topic_partition& tp, int64_t offset,
                                     std::optional<std::string> metadata) {
    core::raw_record r;
    r.key = group::legacy::encode_key(group::legacy::offset_key{group, tp});
    r.value = group::legacy::encode_value(group::legacy::offset_value{offset, 3, std::move(metadata), 1000});
    return r;
  }
  static core::raw_record old_tombstone(const std::string& group, const core::topic_partition& tp) {
    core::raw_record r;
    r.key = group::legacy::encode_key(group::legacy::offset_key{group, tp});
    return r;
  }
  static protocol::record_batch_options txn_of(int64_t producer, int16_t epoch) {
    protocol::record_batch_options o;
    o.transactional = true;
    o.producer_id = core::producer_id{producer};
    o.producer_epoch = core::producer_epoch{epoch};
    o.base_sequence = 0;
    return o;
  }
  void marker(std::string_view group, int64_t producer, int16_t epoch, bool commit) {
    ASSERT_TRUE(logs->get(offsets_partition(group))
                    ->append_marker(core::producer_id{producer}, core::producer_epoch{epoch}, commit, 0));
  }

  void write_old_offsets_topic() {
    // Group "g": Stable, one static member that offered two protocols; "range" was selected.
    group::legacy::group_value gv;
    gv.protocol_type = "consumer";
    gv.generation = 7;
    gv.protocol_name = "range";
    gv.leader = "m1";
    gv.state_timestamp_ms = 5;
    gv.members.push_back(group::legacy::member_value{
        "m1", "i1", "client", "/10.0.0.1", 10000, 30000,
        {{"range", group::test::subscription({"orders"})}, {"roundrobin", core::to_bytes("R")}},
        core::to_bytes("A")});
    core::raw_record meta;
    meta.key = group::legacy::encode_key(group::legacy::group_key{"g"});
    meta.value = group::legacy::encode_value(gv);
    std::vector<core::raw_record> first;
    first.push_back(std::move(meta));
    first.push_back(old_offset("g", orders0, 10, "meta"));
    first.push_back(old_offset("g", orders1, 11, std::nullopt));
    first.push_back(old_offset("g", orders2, 19, "x"));
    append_old("g", std::move(first));
    append_old("g", {old_offset("g", orders1, 12, std::nullopt), old_tombstone("g", orders2)});
    // Transactions: 900 commits orders-0 = 20, 901 aborts orders-2 = 30, 902 is still open with
    // payments-0 = 40.
    append_old("g", {old_offset("g", orders0, 20, "txn")}, txn_of(900, 1));
    append_old("g", {old_offset("g", orders2, 30, std::nullopt)}, txn_of(901, 0));
    append_old("g", {old_offset("g", payments0, 40, std::nullopt)}, txn_of(902, 4));
    marker("g", 900, 1, true);
    marker("g", 901, 0, false);
    // Group "gone": deleted (tombstones for its metadata and offset); "kept": deleted metadata,
    // an offset that stays (a DeleteGroups would also have tombstoned it, OffsetDelete not).
    for (const std::string g : {"gone", "kept"}) {
      group::legacy::group_value empty;
      empty.generation = 2;
      core::raw_record m;
      m.key = group::legacy::encode_key(group::legacy::group_key{g});
      m.value = group::legacy::encode_value(empty);
      append_old(g, {m, old_offset(g, orders0, 50, std::nullopt)});
      core::raw_record dead;
      dead.key = m.key;
      append_old(g, {dead});
    }
    append_old("gone", {old_tombstone("gone", orders0)});
  }

  void put_old_txn(const std::string& id, const std::optional<txn::legacy::txn_metadata>& m) {
    core::raw_record r;
    r.key = txn::legacy::encode_txn_key(id);
    if (m) r.value = txn::legacy::encode_txn_value(*m);
    auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&r, 1), {});
    ASSERT_TRUE(batch);
    ASSERT_TRUE(logs->get({txn_state_topic, core::partition_id{partition_of(id)}})->append(batch.value()));
  }

  void write_old_transaction_state() {
    txn::legacy::txn_metadata open;
    open.producer_id = core::producer_id{902};
    open.producer_epoch = core::producer_epoch{4};
    open.timeout_ms = 60000;
    open.state = txn::legacy::txn_state::ongoing;
    open.start_ms = 1;
    open.update_ms = 2;
    open.partitions = {orders0, offsets_partition("g")};
    open.groups = {"g"};
    auto empty = open;  // Empty first, as InitProducerId wrote it
    empty.state = txn::legacy::txn_state::empty;
    empty.partitions.clear();
    empty.groups.clear();
    empty.start_ms = -1;
    put_old_txn("t-open", empty);
    put_old_txn("t-open", open);
    txn::legacy::txn_metadata prepared;
    prepared.producer_id = core::producer_id{903};
    prepared.producer_epoch = core::producer_epoch{0};
    prepared.state = txn::legacy::txn_state::prepare_commit;
    prepared.partitions = {payments0};
    put_old_txn("t-prepared", prepared);
    txn::legacy::txn_metadata done;
    done.producer_id = core::producer_id{904};
    done.producer_epoch = core::producer_epoch{9};
    done.state = txn::legacy::txn_state::complete_abort;
    put_old_txn("t-done", done);
    put_old_txn("t-deleted", done);
    put_old_txn("t-deleted", std::nullopt);
  }

  // ---- the broker ---------------------------------------------------------------------------

  void open_coordinators() {
    auto g = group::group_coordinator::open(*logs, appends, {});
    ASSERT_TRUE(g) << g.error().message();
    groups = std::move(g).value();
    auto c = txn::transaction_coordinator::open(*logs, appends, *groups, dir.path(), {});
    ASSERT_TRUE(c) << c.error().message();
    txns = std::move(c).value();
  }
  void close_coordinators() {
    if (txns) txns->shutdown();
    txns.reset();
    if (groups) groups->shutdown();
    groups.reset();
  }
  /// As kill -9: no flush of indexes, no clean-shutdown marker.
  void crash() {
    close_coordinators();
    sched.clear();
    logs.reset();
  }
  void restart() {
    close_coordinators();
    close_logs();
    open_logs();
    open_coordinators();
  }

  int64_t committed(const std::string& group, const core::topic_partition& tp) {
    return groups->fetch_offsets({group, std::vector<core::topic_partition>{tp}, false}).offsets.at(0).offset;
  }

  /// What the old data directory held, as the coordinators now see it.
  void expect_migrated_state() {
    ASSERT_TRUE(groups && txns);
    // Committed offsets: newest values, transactions resolved, tombstones applied.
    auto g = groups->fetch_offsets({"g", std::nullopt, false});
    ASSERT_EQ(g.offsets.size(), 2u);
    EXPECT_EQ(g.offsets[0].tp, orders0);
    EXPECT_EQ(g.offsets[0].offset, 20) << "committed by transaction 900";
    EXPECT_EQ(g.offsets[0].metadata, "txn");
    EXPECT_EQ(g.offsets[0].leader_epoch, 3);
    EXPECT_EQ(g.offsets[1].tp, orders1);
    EXPECT_EQ(g.offsets[1].offset, 12);
    EXPECT_EQ(g.offsets[1].metadata, "") << "null metadata is Kafka's empty string";
    auto pending = groups->fetch_offsets({"g", std::vector<core::topic_partition>{payments0}, true});
    EXPECT_EQ(pending.offsets.at(0).error, group::errc::unstable_offset_commit) << "902's offset is pending";
    // Group metadata.
    auto d = groups->describe_groups({"g", "gone", "kept"});
    EXPECT_EQ(d[0].state, group::group_state::stable);
    EXPECT_EQ(d[0].protocol_name, "range");
    ASSERT_EQ(d[0].members.size(), 1u);
    EXPECT_EQ(d[0].members[0].member_id, "m1");
    EXPECT_EQ(d[0].members[0].group_instance_id, "i1");
    EXPECT_EQ(d[0].members[0].client_host, "/10.0.0.1");
    EXPECT_EQ(d[0].members[0].metadata, group::test::subscription({"orders"}));
    EXPECT_EQ(d[0].members[0].assignment, core::to_bytes("A"));
    EXPECT_EQ(groups->heartbeat({"g", 7, "m1", "i1"}), group::errc::ok) << "same member, same generation";
    EXPECT_EQ(d[1].state, group::group_state::dead) << "deleted";
    EXPECT_EQ(d[2].state, group::group_state::empty);
    EXPECT_EQ(committed("kept", orders0), 50);
    // Transactions.
    auto open = txns->describe("t-open");
    ASSERT_TRUE(open);
    EXPECT_EQ(open->state, txn::txn_state::ongoing);
    EXPECT_EQ(open->producer_id.value(), 902);
    EXPECT_EQ(open->producer_epoch.value(), 4);
    EXPECT_EQ(open->partitions, (std::set<core::topic_partition>{orders0, offsets_partition("g")}));
    ASSERT_TRUE(txns->describe("t-prepared"));
    EXPECT_EQ(txns->describe("t-prepared")->state, txn::txn_state::complete_commit) << "completed at start-up";
    ASSERT_TRUE(txns->describe("t-done"));
    EXPECT_EQ(txns->describe("t-done")->producer_epoch.value(), 9);
    EXPECT_FALSE(txns->describe("t-deleted"));
    EXPECT_EQ(txns->check_offset_commit("t-open", core::producer_id{902}, core::producer_epoch{4}, "g"), txn::errc::ok)
        << "the group AddOffsetsToTxn added is still in the transaction";
  }

  /// Every record from each partition's log start reads in Kafka's format.
  void expect_only_kafka_records() {
    for (int32_t p = 0; p < partitions; ++p) {
      auto plog = logs->get({offsets, core::partition_id{p}});
      ASSERT_TRUE(storage::replay_log(*plog, [&](protocol::record_batch_reader& r, int64_t first) -> result<void> {
        if (r.header().is_control()) return core::success();
        for (;;) {
          SLUICE_TRY(auto rec, r.next());
          if (!rec) return core::success();
          if (r.header().base_offset.value() + rec->offset_delta < first) continue;
          auto key = group::decode_key(*rec->record.key);
          EXPECT_TRUE(key) << "partition " << p;
          if (!key || !rec->record.value) continue;
          if (std::holds_alternative<group::offset_key>(key.value())) {
            EXPECT_TRUE(group::decode_offset_value(*rec->record.value));
          } else {
            EXPECT_TRUE(group::decode_group_value(*rec->record.value));
          }
          EXPECT_FALSE(group::legacy::decode_key(*rec->record.key)) << "an old key is still readable";
        }
      }));
      auto tlog = logs->get({txn_state_topic, core::partition_id{p}});
      ASSERT_TRUE(storage::replay_log(*tlog, [&](protocol::record_batch_reader& r, int64_t first) -> result<void> {
        for (;;) {
          SLUICE_TRY(auto rec, r.next());
          if (!rec) return core::success();
          if (r.header().base_offset.value() + rec->offset_delta < first || !rec->record.value) continue;
          EXPECT_TRUE(txn::decode_txn_value(*rec->record.value));
          EXPECT_FALSE(txn::legacy::decode_txn_value(*rec->record.value)) << "an old value is still readable";
        }
      }));
    }
  }

  std::string marker_text(const char* topic) {
    auto raw = storage::read_whole_file(internal_topic_format_marker(logs->dir(), topic));
    return raw ? std::string(reinterpret_cast<const char*>(raw.value().data()), raw.value().size()) : "";
  }

  std::unique_ptr<group::group_coordinator> groups;
  std::unique_ptr<txn::transaction_coordinator> txns;
};

TEST_F(migration_test, an_old_data_directory_is_converted_and_keeps_everything) {
  open_coordinators();
  expect_migrated_state();
  expect_only_kafka_records();
  EXPECT_NE(marker_text(offsets).find("format=kafka\n"), std::string::npos) << marker_text(offsets);
  EXPECT_NE(marker_text(txn_state_topic).find("format=kafka\n"), std::string::npos);
  std::vector<int64_t> ends;
  for (int32_t p = 0; p < partitions; ++p) ends.push_back(logs->get({offsets, core::partition_id{p}})->log_end_offset().value());

  restart();
  expect_migrated_state();
  expect_only_kafka_records();
  for (int32_t p = 0; p < partitions; ++p) {
    EXPECT_EQ(logs->get({offsets, core::partition_id{p}})->log_end_offset().value(), ends[static_cast<size_t>(p)])
        << "converted once only";
  }
  // The transaction still open in the old data ends as any other: its marker settles the
  // group's pending offset.
  capture<txn::end_txn_result> ended;
  txns->end_transaction("t-open", core::producer_id{902}, core::producer_epoch{4}, true,
                        txn::end_txn_protocol::keep_epoch, ended.fn());
  sched.advance(0);
  ASSERT_TRUE(ended.ready());
  EXPECT_EQ(ended->error, txn::errc::ok);
  EXPECT_EQ(committed("g", payments0), 40);
  restart();
  EXPECT_EQ(committed("g", payments0), 40);
  EXPECT_EQ(txns->describe("t-open")->state, txn::txn_state::complete_commit);
}

TEST_F(migration_test, an_interruption_at_any_step_loses_nothing) {
  crash();  // keep SetUp's old data; each scenario starts from a copy of it
  const auto original = dir.path() / "original";
  std::filesystem::rename(dir.path() / "data", original);
  for (const char* topic : {offsets, txn_state_topic}) {
    for (auto stage : {migration_stage::marked_migrating, migration_stage::partition_converted,
                       migration_stage::marked_kafka, migration_stage::legacy_dropped}) {
      SCOPED_TRACE(std::string(topic) + " stage " + std::to_string(static_cast<int>(stage)));
      std::filesystem::remove_all(dir.path() / "data");
      std::filesystem::copy(original, dir.path() / "data", std::filesystem::copy_options::recursive);
      open_logs();
      const bool offsets_topic = std::string(topic) == offsets;
      const legacy_format format =
          offsets_topic ? group::offsets_topic_legacy_format() : txn::transaction_state_legacy_format();
      if (!offsets_topic) {  // the group coordinator migrates its topic first at start-up
        ASSERT_TRUE(open_internal_topic_format(*logs, offsets, false, group::offsets_topic_legacy_format()));
      }
      migration_options o;
      o.failpoint = [stage](migration_stage s) { return s == stage; };
      auto r = open_internal_topic_format(*logs, topic, false, format, o);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), std::errc::interrupted);
      crash();
      open_logs();
      open_coordinators();
      expect_migrated_state();
      expect_only_kafka_records();
      restart();
      expect_migrated_state();
      close_coordinators();
      close_logs();
    }
  }
}

TEST_F(migration_test, a_partially_appended_conversion_is_completed) {
  // The broker died in the middle of step 2: the marker says `migrating`, and only the first
  // n of one partition's converted batches are in the log (n = all: died before the marker
  // switched, so the whole conversion is appended a second time).
  const int32_t p = partition_of("g");
  crash();
  const auto original = dir.path() / "original";
  std::filesystem::rename(dir.path() / "data", original);
  for (size_t n = 1;; ++n) {
    SCOPED_TRACE(n);
    std::filesystem::remove_all(dir.path() / "data");
    std::filesystem::copy(original, dir.path() / "data", std::filesystem::copy_options::recursive);
    open_logs();
    auto plog = logs->get({offsets, core::partition_id{p}});
    const int64_t end = plog->log_end_offset().value();
    auto batches = group::offsets_topic_legacy_format().convert(*plog, end);
    ASSERT_TRUE(batches);
    ASSERT_GE(batches.value().size(), 2u) << "committed and still pending offsets";
    std::string marker = "version=1\nformat=migrating\n";  // step 1 names every old partition
    for (int32_t q = 0; q < partitions; ++q) {
      const int64_t e = logs->get({offsets, core::partition_id{q}})->log_end_offset().value();
      if (e > 0) marker += "legacy.end." + std::to_string(q) + "=" + std::to_string(e) + "\n";
    }
    ASSERT_TRUE(storage::write_file_atomically(internal_topic_format_marker(logs->dir(), offsets),
                                               core::as_bytes(marker)));
    for (size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(plog->append(batches.value()[i], storage::append_origin::coordinator));
    }
    plog.reset();
    crash();
    open_logs();
    open_coordinators();
    expect_migrated_state();
    expect_only_kafka_records();
    restart();
    expect_migrated_state();
    close_coordinators();
    close_logs();
    if (n == batches.value().size()) break;
  }
}

TEST_F(migration_test, kafkas_format_without_a_marker_is_taken_as_it_is) {
  crash();
  std::filesystem::remove_all(dir.path() / "data");
  open_logs();
  ASSERT_TRUE(logs->create_topic("orders", 3, {}));
  ASSERT_TRUE(logs->create_topic(offsets, partitions, {{"cleanup.policy", "compact"}}));
  // Records as a Kafka broker wrote them (segments copied from one).
  core::raw_record r;
  r.key = group::encode_key(group::offset_key{"k", orders1});
  r.value = group::encode_value(group::offset_value{77, -1, "", 1, -1});
  auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&r, 1), {});
  ASSERT_TRUE(batch);
  ASSERT_TRUE(logs->get(offsets_partition("k"))->append(batch.value(), storage::append_origin::coordinator));
  open_coordinators();
  EXPECT_EQ(committed("k", orders1), 77);
  EXPECT_EQ(logs->get(offsets_partition("k"))->log_end_offset().value(), 1) << "nothing converted";
  EXPECT_EQ(marker_text(offsets), "version=1\nformat=kafka\n");
}

TEST_F(migration_test, a_damaged_marker_stops_start_up) {
  open_coordinators();
  close_coordinators();
  ASSERT_TRUE(storage::write_file_atomically(internal_topic_format_marker(logs->dir(), offsets),
                                             core::as_bytes("version=1\nformat=maybe\n")));
  auto g = group::group_coordinator::open(*logs, appends, {});
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error(), group::errc::corrupt_log);
}

}  // namespace
}  // namespace sluice::broker
