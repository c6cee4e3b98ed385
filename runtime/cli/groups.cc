#include "runtime/cli/commands.h"

#include <librdkafka/rdkafka.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sluice::cli {
// ---- groups ---------------------------------------------------------------------------------

void groups_list(const global_options& g) {
  admin_client c(g);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  auto ev = c.call("list groups", [&](rd_kafka_queue_t* q) { rd_kafka_ListConsumerGroups(c.rk(), opts.get(), q); });
  const auto* res = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t ne = 0;
  const auto** errs = rd_kafka_ListConsumerGroups_result_errors(res, &ne);
  if (ne > 0) check(errs[0], "list groups");
  size_t n = 0;
  const auto** valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
  std::vector<std::pair<std::string, std::string>> groups;
  for (size_t i = 0; i < n; ++i)
    groups.emplace_back(rd_kafka_ConsumerGroupListing_group_id(valid[i]),
                        rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i])));
  std::sort(groups.begin(), groups.end());
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& [id, st] : groups) j.push_back({{"group", id}, {"state", st}});
    std::cout << j.dump() << '\n';
    return;
  }
  for (const auto& [id, st] : groups) std::cout << id << '\n';
}

/// Committed offsets of a group: (topic, partition) -> offset (negative: none).
std::map<std::pair<std::string, int32_t>, int64_t> committed_offsets(admin_client& c, const std::string& group) {
  rd_kafka_ListConsumerGroupOffsets_t* req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t,
                  c_deleter<rd_kafka_ListConsumerGroupOffsets_t, rd_kafka_ListConsumerGroupOffsets_destroy>>
      owned(req);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  auto ev = c.call("offsets of group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_ListConsumerGroupOffsets(c.rk(), &req, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (size_t i = 0; i < n; ++i) {
    check(rd_kafka_group_result_error(res[i]), "offsets of group '" + group + "'");
    const auto* parts = rd_kafka_group_result_partitions(res[i]);
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
      if (parts->elems[k].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        out[{parts->elems[k].topic, parts->elems[k].partition}] = parts->elems[k].offset;
  }
  return out;
}

struct member_info {
  std::string consumer_id, host, client_id;
};

void groups_describe(const global_options& g, const std::string& group) {
  admin_client c(g);
  const char* ids[] = {group.c_str()};
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  auto ev = c.call("describe group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_DescribeConsumerGroups(c.rk(), ids, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  if (n == 0) throw cli_error("unknown group '" + group + "'");
  check(rd_kafka_ConsumerGroupDescription_error(descs[0]), "describe group '" + group + "'");
  auto state = rd_kafka_ConsumerGroupDescription_state(descs[0]);
  std::map<std::pair<std::string, int32_t>, member_info> owner;
  size_t members = rd_kafka_ConsumerGroupDescription_member_count(descs[0]);
  for (size_t m = 0; m < members; ++m) {
    const auto* md = rd_kafka_ConsumerGroupDescription_member(descs[0], m);
    member_info info{rd_kafka_MemberDescription_consumer_id(md), rd_kafka_MemberDescription_host(md),
                     rd_kafka_MemberDescription_client_id(md)};
    const auto* parts = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
      owner[{parts->elems[k].topic, parts->elems[k].partition}] = info;
  }
  auto committed = committed_offsets(c, group);
  if (state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && committed.empty() && owner.empty())
    throw cli_error("unknown group '" + group + "'");
  std::map<std::pair<std::string, int32_t>, int64_t> rows = committed;
  for (const auto& [tp, m] : owner) rows.try_emplace(tp, -1);
  nlohmann::json j{{"group", group}, {"state", rd_kafka_consumer_group_state_name(state)}};
  j["partitions"] = nlohmann::json::array();
  std::vector<std::vector<std::string>> table{
      {"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"}};
  for (const auto& [tp, current] : rows) {
    auto [lo, hi] = c.watermarks(tp.first, tp.second);
    (void)lo;
    auto it = owner.find(tp);
    member_info none{"-", "-", "-"};
    const member_info& m = it != owner.end() ? it->second : none;
    nlohmann::json row{{"topic", tp.first}, {"partition", tp.second}, {"log_end_offset", hi}};
    row["current_offset"] = current >= 0 ? nlohmann::json(current) : nlohmann::json(nullptr);
    row["lag"] = current >= 0 ? nlohmann::json(hi - current) : nlohmann::json(nullptr);
    row["consumer_id"] = it != owner.end() ? nlohmann::json(m.consumer_id) : nlohmann::json(nullptr);
    row["host"] = it != owner.end() ? nlohmann::json(m.host) : nlohmann::json(nullptr);
    row["client_id"] = it != owner.end() ? nlohmann::json(m.client_id) : nlohmann::json(nullptr);
    j["partitions"].push_back(std::move(row));
    table.push_back({tp.first, std::to_string(tp.second), current >= 0 ? std::to_string(current) : "-",
                     std::to_string(hi), current >= 0 ? std::to_string(hi - current) : "-", m.consumer_id, m.host,
                     m.client_id});
  }
  if (g.json) {
    std::cout << j.dump() << '\n';
    return;
  }
  std::cout << "Group " << group << " (" << rd_kafka_consumer_group_state_name(state) << ", " << members
            << " member" << (members == 1 ? "" : "s") << ")\n";
  print_table(table);
}

void groups_delete(const global_options& g, const std::string& group) {
  admin_client c(g);
  rd_kafka_DeleteGroup_t* dg = rd_kafka_DeleteGroup_new(group.c_str());
  std::unique_ptr<rd_kafka_DeleteGroup_t, c_deleter<rd_kafka_DeleteGroup_t, rd_kafka_DeleteGroup_destroy>> owned(dg);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DELETEGROUPS);
  auto ev = c.call("delete group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_DeleteGroups(c.rk(), &dg, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) check(rd_kafka_group_result_error(res[i]), "cannot delete group '" + group + "'");
  if (g.json)
    std::cout << nlohmann::json{{"deleted", group}}.dump() << '\n';
  else
    std::cout << "Deleted group " << group << ".\n";
}

/// Where `reset-offsets` and `offsets` position: earliest, latest, a timestamp or an offset.
struct position {
  enum class kind { earliest, latest, time, offset } k = kind::latest;
  int64_t value = 0;
};

/// Resolves `pos` to an offset per partition of `topic`.
std::vector<std::pair<int32_t, int64_t>> resolve(admin_client& c, const std::string& topic, const position& pos) {
  const auto& t = c.topic(topic);
  std::vector<std::pair<int32_t, int64_t>> out;
  if (pos.k == position::kind::time) {
    tpl_ptr list(rd_kafka_topic_partition_list_new(t.partition_cnt));
    for (int32_t p : partitions_of(t)) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = pos.value;
    auto err = rd_kafka_offsets_for_times(c.rk(), list.get(), 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw cli_error("offsets of '" + topic + "' by time: " + rd_kafka_err2str(err));
    for (int i = 0; i < list->cnt; ++i) {
      int64_t off = list->elems[i].offset;
      if (off < 0) off = c.watermarks(topic, list->elems[i].partition).second;  // no record that late
      out.emplace_back(list->elems[i].partition, off);
    }
    return out;
  }
  for (int32_t p : partitions_of(t)) {
    auto [lo, hi] = c.watermarks(topic, p);
    switch (pos.k) {
      case position::kind::earliest: out.emplace_back(p, lo); break;
      case position::kind::latest: out.emplace_back(p, hi); break;
      default: out.emplace_back(p, std::clamp(pos.value, lo, hi)); break;
    }
  }
  return out;
}

position parse_position(const std::string& s, bool allow_offset) {
  if (s == "earliest") return {position::kind::earliest, 0};
  if (s == "latest") return {position::kind::latest, 0};
  auto number = [&](const std::string& digits) {
    try {
      size_t used = 0;
      int64_t v = std::stoll(digits, &used);
      if (used == digits.size() && v >= 0) return v;
    } catch (const std::exception&) {
    }
    throw cli_error("bad position '" + s + "': expected earliest, latest, a timestamp in ms" +
                    (allow_offset ? " or offset:N" : ""));
  };
  if (allow_offset && s.rfind("offset:", 0) == 0) return {position::kind::offset, number(s.substr(7))};
  return {position::kind::time, number(s)};
}

void groups_reset_offsets(const global_options& g, const std::string& group, const std::string& topic,
                          const std::string& to, bool dry_run) {
  admin_client c(g);
  auto target = resolve(c, topic, parse_position(to, true));
  if (!dry_run) {
    tpl_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(target.size())));
    for (auto [p, off] : target) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = off;
    rd_kafka_AlterConsumerGroupOffsets_t* req = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t,
                    c_deleter<rd_kafka_AlterConsumerGroupOffsets_t, rd_kafka_AlterConsumerGroupOffsets_destroy>>
        owned(req);
    auto opts = c.options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    auto ev = c.call("reset offsets of group '" + group + "'", [&](rd_kafka_queue_t* q) {
      rd_kafka_AlterConsumerGroupOffsets(c.rk(), &req, 1, opts.get(), q);
    });
    size_t n = 0;
    const auto** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      check(rd_kafka_group_result_error(res[i]), "reset offsets of group '" + group + "'");
      const auto* parts = rd_kafka_group_result_partitions(res[i]);
      for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
        if (parts->elems[k].err != RD_KAFKA_RESP_ERR_NO_ERROR)
          throw cli_error("reset offsets of group '" + group + "': " + rd_kafka_err2str(parts->elems[k].err) +
                          (parts->elems[k].err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
                                   parts->elems[k].err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
                               ? " (stop the group's consumers first)"
                               : ""));
    }
  }
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (auto [p, off] : target) j.push_back({{"topic", topic}, {"partition", p}, {"new_offset", off}});
    std::cout << nlohmann::json{{"group", group}, {"dry_run", dry_run}, {"partitions", j}}.dump() << '\n';
    return;
  }
  std::vector<std::vector<std::string>> table{{"TOPIC", "PARTITION", "NEW-OFFSET"}};
  for (auto [p, off] : target) table.push_back({topic, std::to_string(p), std::to_string(off)});
  print_table(table);
}

// ---- offsets --------------------------------------------------------------------------------

void offsets(const global_options& g, const std::string& topic, const std::string& time) {
  admin_client c(g);
  auto pos = parse_position(time, false);
  auto result = resolve(c, topic, pos);
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (auto [p, off] : result) j.push_back({{"topic", topic}, {"partition", p}, {"offset", off}});
    std::cout << j.dump() << '\n';
    return;
  }
  for (auto [p, off] : result) std::cout << topic << ':' << p << ':' << off << '\n';
}

}  // namespace sluice::cli
