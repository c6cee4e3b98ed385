#pragma once
/// Iterator combinators shared by all stores (module-private): k-way merge of sorted sources,
/// an overlay of pending/cached writes over a base iterator, and key filters.

#include "core/bytes.h"
#include "state/detail/key_layout.h"
#include "state/key_value_iterator.h"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sluice::state::detail {

/// Sorted entries that may be tombstones (value nullopt), e.g. a pending batch or a cache.
class overlay_source {
 public:
  virtual ~overlay_source() = default;
  virtual bool valid() const noexcept = 0;
  virtual bytes_view key() const noexcept = 0;
  virtual std::optional<bytes_view> value() const noexcept = 0;
  virtual void next() = 0;
};

/// Adapts a `map_cursor` (or anything with the same members) to `overlay_source`.
template <class Cursor>
class cursor_overlay final : public overlay_source {
 public:
  explicit cursor_overlay(Cursor cursor) : _cursor(std::move(cursor)) {}
  bool valid() const noexcept override { return _cursor.valid(); }
  bytes_view key() const noexcept override { return _cursor.key(); }
  std::optional<bytes_view> value() const noexcept override { return _cursor.value(); }
  void next() override { _cursor.next(); }

 private:
  Cursor _cursor;
};

/// Merges sources whose key sets are disjoint and each sorted in `order` by `layout`.
std::unique_ptr<iterator_source> merge_sources(
    std::vector<std::unique_ptr<iterator_source>> children, key_layout layout,
    iteration_order order);

/// Entries of `base` overlaid with `overlay` (both sorted in `order`): on equal keys the
/// overlay wins, and overlay tombstones hide base entries.
std::unique_ptr<iterator_source> overlay_sources(std::unique_ptr<overlay_source> overlay,
                                                 std::unique_ptr<iterator_source> base,
                                                 key_layout layout, iteration_order order);

/// Entries of `inner` whose key satisfies `keep`.
std::unique_ptr<iterator_source> filter_source(std::unique_ptr<iterator_source> inner,
                                               std::function<bool(bytes_view key)> keep);

/// An iterator source over nothing.
std::unique_ptr<iterator_source> empty_source();

}  // namespace sluice::state::detail
