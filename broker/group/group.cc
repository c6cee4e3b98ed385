#include "broker/group/group.h"

#include "core/protocol/consumer_protocol.h"

#include <algorithm>
#include <cctype>

namespace sluice::broker::group {

std::string_view to_string(group_state s) noexcept {
  switch (s) {
    case group_state::empty: return "Empty";
    case group_state::preparing_rebalance: return "PreparingRebalance";
    case group_state::completing_rebalance: return "CompletingRebalance";
    case group_state::stable: return "Stable";
    case group_state::dead: return "Dead";
  }
  return "Dead";
}

std::optional<group_state> parse_group_state(std::string_view s) noexcept {
  auto iequal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (auto st : {group_state::empty, group_state::preparing_rebalance,
                  group_state::completing_rebalance, group_state::stable, group_state::dead}) {
    if (iequal(s, to_string(st))) return st;
  }
  return std::nullopt;
}

const core::bytes* member::metadata_for(std::string_view protocol) const noexcept {
  for (const auto& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

bool member::same_protocols(const std::vector<protocol_metadata>& other) const noexcept {
  if (!only_selected_protocol) return protocols == other;
  return protocols.size() == 1 &&
         std::find(other.begin(), other.end(), protocols.front()) != other.end();
}

member* group::find(std::string_view member_id) {
  auto it = members.find(std::string(member_id));
  return it == members.end() ? nullptr : &it->second;
}

std::set<std::string> group::candidate_protocols() const {
  std::set<std::string> out;
  bool first = true;
  for (const auto& [id, m] : members) {
    std::set<std::string> mine;
    for (const auto& p : m.protocols) mine.insert(p.name);
    if (first) {
      out = std::move(mine);
      first = false;
    } else {
      std::erase_if(out, [&](const std::string& n) { return !mine.contains(n); });
    }
  }
  return out;
}

bool group::supports(std::string_view type, const std::vector<protocol_metadata>& protocols,
                     std::string_view exclude) const {
  if (type.empty() || protocols.empty()) return false;
  bool anyone_else = std::any_of(members.begin(), members.end(),
                                 [&](const auto& kv) { return kv.first != exclude; });
  if (!anyone_else) return true;
  if (type != protocol_type) return false;
  std::set<std::string> common;
  bool first = true;
  for (const auto& [id, m] : members) {
    if (id == exclude) continue;
    std::set<std::string> mine;
    for (const auto& p : m.protocols) mine.insert(p.name);
    if (first) {
      common = std::move(mine);
      first = false;
    } else {
      std::erase_if(common, [&](const std::string& n) { return !mine.contains(n); });
    }
  }
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const protocol_metadata& p) { return common.contains(p.name); });
}

std::string group::select_protocol() const {
  auto candidates = candidate_protocols();
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members) {
    for (const auto& p : m.protocols) {
      if (candidates.contains(p.name)) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const auto& [name, n] : votes) {  // std::map: ties resolve to the smallest name
    if (n > best_votes) {
      best = name;
      best_votes = n;
    }
  }
  return best;
}

bool group::all_members_joined() const {
  return pending.empty() && members_awaiting_join() == members.size();
}

size_t group::members_awaiting_join() const {
  return static_cast<size_t>(std::count_if(members.begin(), members.end(),
                                           [](const auto& kv) { return static_cast<bool>(kv.second.awaiting_join); }));
}

int32_t group::max_rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& [id, m] : members) t = std::max(t, m.rebalance_timeout_ms);
  return t;
}

bool group::subscribed_to(std::string_view topic) const {
  if (protocol_type != "consumer") return false;
  for (const auto& [id, m] : members) {
    const core::bytes* md = protocol_name ? m.metadata_for(*protocol_name) : nullptr;
    if (md == nullptr && !m.protocols.empty()) md = &m.protocols.front().metadata;
    if (md == nullptr) continue;
    auto topics = subscription_topics(*md);
    if (topics && std::find(topics->begin(), topics->end(), topic) != topics->end()) return true;
  }
  return false;
}

bool group::has_pending_txn_offset(const core::topic_partition& tp) const {
  return std::any_of(pending_txn_offsets.begin(), pending_txn_offsets.end(),
                     [&](const auto& kv) { return kv.second.contains(tp); });
}

std::optional<std::vector<std::string>> subscription_topics(core::bytes_view metadata) {
  auto subscription = protocol::consumer_protocol_subscription::decode(metadata);
  if (!subscription) return std::nullopt;
  return std::move(subscription.value().topics);
}

}  // namespace sluice::broker::group
