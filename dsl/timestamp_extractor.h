#pragma once
/// `timestamp_extractor<K, V>`: how a source assigns event time to the records it reads.
///
/// Three kinds: the record's own timestamp (the default), the wall clock at the moment the
/// record is read, or a user function of the deserialized key and value, e.g. a JSON field in
/// seconds:
///
///     consumed<std::string, page_view>{
///         .value_serde = serdes::json<page_view>{},
///         .timestamp_extractor = [](const std::string&, const page_view& v, timestamp) {
///           return core::from_epoch_ms(v.timestamp * 1000);
///         }};
///
/// A negative timestamp (as a function may return for a record it cannot date) makes the task
/// drop the record and count it (`drop_reason::invalid_timestamp`).
///
/// Thread safety: immutable once built; the function must be safe to call from several task
/// threads at once (it is shared by every task of the topology).

#include "core/time.h"

#include <concepts>
#include <functional>
#include <utility>

namespace sluice::dsl {

enum class extractor_kind { record_time, wall_clock, function };

template <class K, class V>
class timestamp_extractor {
 public:
  using function_type =
      std::function<timestamp(const K& key, const V& value, timestamp record_time)>;

  /// The record's own timestamp.
  timestamp_extractor() = default;
  /// A user function of key, value and the record's own timestamp.
  template <class F>
  requires std::is_invocable_r_v<timestamp, const F&, const K&, const V&, timestamp> &&
      (!std::same_as<std::remove_cvref_t<F>, timestamp_extractor>)timestamp_extractor(
          F&& f)  // NOLINT(google-explicit-constructor): a lambda is an extractor
      : _kind(extractor_kind::function), _fn(std::forward<F>(f)) {}

  static timestamp_extractor record_time() { return {}; }
  static timestamp_extractor wall_clock() {
    timestamp_extractor e;
    e._kind = extractor_kind::wall_clock;
    return e;
  }

  extractor_kind kind() const noexcept { return _kind; }
  const function_type& function() const noexcept { return _fn; }

 private:
  extractor_kind _kind = extractor_kind::record_time;
  function_type _fn;
};

}  // namespace sluice::dsl

namespace sluice {
using dsl::timestamp_extractor;
}  // namespace sluice
