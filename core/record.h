#pragma once
/// A Kafka record as the broker, the runtime and the state layer see it: optional key and value
/// bytes (absent = null), a timestamp and ordered headers (keys may repeat, values may be null).
/// `raw_record` is untyped on purpose; the typed record of the Processor API is
/// `sluice::record<K, V>` (dsl/processor.h), made from a raw one by the source node's serdes.

#include "core/bytes.h"
#include "core/time.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

struct header {
  std::string key;
  std::optional<bytes> value;

  bool operator==(const header&) const = default;
};

/// Ordered record headers. Keys may repeat; `last` finds the newest value of a key, as Kafka's
/// `Headers.lastHeader` does.
class headers {
 public:
  headers() = default;
  headers(std::initializer_list<header> init) : _items(init) {}

  void add(std::string key, std::optional<bytes> value) {
    _items.push_back({std::move(key), std::move(value)});
  }
  /// Removes every header with this key.
  void remove(std::string_view key);
  /// The last header with this key, or nullptr. The pointer is valid until the next mutation.
  const header* last(std::string_view key) const noexcept;

  auto begin() const noexcept { return _items.begin(); }
  auto end() const noexcept { return _items.end(); }
  std::size_t size() const noexcept { return _items.size(); }
  bool empty() const noexcept { return _items.empty(); }
  bool operator==(const headers&) const = default;

 private:
  std::vector<header> _items;
};

struct raw_record {
  std::optional<bytes> key;
  std::optional<bytes> value;
  timestamp ts{};
  core::headers hdrs;

  bool operator==(const raw_record&) const = default;
};

}  // namespace sluice::core
