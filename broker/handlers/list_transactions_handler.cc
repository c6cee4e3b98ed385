#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/list_transactions.h"
#include "broker/txn/transaction_coordinator.h"
#include "core/time.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>

namespace sluice::broker {
namespace {

/// Every state name Kafka's coordinator knows (TransactionState.fromName). A filter naming one
/// of them is not "unknown", even when no transaction here can be in it (this coordinator never
/// has Dead or PrepareEpochFence: it forgets no id and fences by aborting).
constexpr std::array<std::string_view, 8> kafka_state_names = {
    "Empty",          "Ongoing",       "PrepareCommit", "PrepareAbort",
    "CompleteCommit", "CompleteAbort", "Dead",          "PrepareEpochFence"};

/// Longer patterns are refused: std::regex compiles (and walks its automaton) recursively, so
/// the pattern's length bounds the stack a network thread spends on it.
constexpr size_t max_pattern_bytes = 1024;

/// True when `p` uses a construct RE2 refuses but ECMAScript accepts: a group opened with `(?`
/// other than `(?:` (lookaheads; RE2's own `(?i)` / `(?P<name>` forms fail in std::regex
/// anyway) or a backreference `\1`–`\9`. Escapes and bracket classes are skipped.
bool has_non_re2_construct(std::string_view p) {
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (!in_class && i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9') return true;
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(' && i + 1 < p.size() && p[i + 1] == '?' && (i + 2 >= p.size() || p[i + 2] != ':')) {
      return true;
    }
  }
  return false;
}

/// KIP-1152's transactional id pattern. Kafka compiles it with RE2/J and keeps the ids it
/// matches in full (`Pattern.matcher(id).matches()`); here std::regex's ECMAScript grammar with
/// `regex_match` (also a full match). The two agree on the syntax they share — literals, `.`,
/// bracket classes (with POSIX `[:alpha:]` forms), `\d \w \s \b`, anchors, alternation, groups
/// and `(?:…)`, greedy and lazy quantifiers. The differences:
/// - what RE2 refuses is refused here too (INVALID_REGULAR_EXPRESSION): backreferences and
///   lookaheads;
/// - RE2-only syntax — inline flags `(?i)`, named groups `(?P<n>…)`, `\pL`, `\Q…\E`, `\A`,
///   `\z` — does not compile here, so it is refused where Kafka would filter with it;
/// - ids are matched byte by byte, where RE2/J reads code points: `.` or a negated class
///   consumes one byte of a multi-byte UTF-8 character;
/// - patterns longer than `max_pattern_bytes` are refused.
/// With libstdc++ the matcher is its polynomial (breadth-first) executor, so matching time is
/// linear in the id's length, as with RE2, and never backtracks exponentially.
class txn_id_pattern {
 public:
  static std::optional<txn_id_pattern> compile(const std::string& pattern) {
    if (pattern.size() > max_pattern_bytes || has_non_re2_construct(pattern)) return std::nullopt;
    auto flags = std::regex::ECMAScript | std::regex::nosubs;
#if defined(__GLIBCXX__)
    flags |= std::regex_constants::__polynomial;
#endif
    try {
      return txn_id_pattern(std::regex(pattern, flags));
    } catch (const std::regex_error&) {
      return std::nullopt;
    }
  }

  bool matches(const std::string& id) const {
    try {
      return std::regex_match(id, _re);
    } catch (const std::regex_error&) {  // the matcher's complexity or stack limit
      return false;
    }
  }

 private:
  explicit txn_id_pattern(std::regex re) : _re(std::move(re)) {}
  std::regex _re;
};

}  // namespace

// As Kafka's coordinator lists them (TransactionStateManager.listTransactionStates): every
// known transactional id, in id order here, kept when it passes all the filters given —
// - state_filters: its state's name is one of them (names compared exactly; a name Kafka does
//   not know is echoed in unknown_state_filters and matches nothing);
// - producer_id_filters: its producer id is one of them;
// - duration_filter (v1+, when >= 0): now - its transaction's start time > the filter. As in
//   Kafka the start time of an id without an open transaction is -1, so such ids always pass;
// - transactional_id_pattern (v2+, when neither null nor empty): the whole id matches it (see
//   txn_id_pattern). A pattern that does not compile fails the whole request with
//   INVALID_REGULAR_EXPRESSION and nothing else, as Kafka's error response carries nothing else.
void handle_list_transactions(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_transactions_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::list_transactions_response resp;

  std::optional<txn_id_pattern> pattern;
  if (body->transactional_id_pattern && !body->transactional_id_pattern->empty()) {
    pattern = txn_id_pattern::compile(*body->transactional_id_pattern);
    if (!pattern) {
      resp.error_code = protocol::error_code::invalid_regular_expression;
      return respond(encode_body(resp, req.version));
    }
  }
  std::set<std::string, std::less<>> states;
  for (const auto& name : body->state_filters) {
    if (!states.insert(name).second) continue;  // Kafka takes the filters as a set
    if (std::find(kafka_state_names.begin(), kafka_state_names.end(), name) == kafka_state_names.end()) {
      resp.unknown_state_filters.push_back(name);
    }
  }
  const std::set<core::producer_id> producers(body->producer_id_filters.begin(),
                                              body->producer_id_filters.end());
  const int64_t now = core::to_epoch_ms(core::wall_clock_now());

  for (auto& t : ctx.transactions().list()) {
    const txn::txn_metadata& m = t.metadata;
    const std::string_view state = txn::to_string(m.state);
    if (!states.empty() && !states.contains(state)) continue;
    if (!producers.empty() && !producers.contains(m.producer_id)) continue;
    if (body->duration_filter >= 0 && now - m.start_ms <= body->duration_filter) continue;
    if (pattern && !pattern->matches(t.transactional_id)) continue;
    resp.transaction_states.push_back({std::move(t.transactional_id), m.producer_id, std::string(state)});
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
