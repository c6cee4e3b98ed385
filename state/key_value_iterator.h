#pragma once
/// `key_value_iterator`: the one iterator type of the bytes-level stores.
///
/// A small type-erased cursor in the style of `rocksdb::Iterator`: `valid()` says whether it is
/// positioned on an entry, `key()`/`value()` borrow that entry, `next()` moves on. Iteration
/// ends when `valid()` turns false; then `status()` tells a clean end from a failure. Every
/// implementation yields keys in the order documented by the call that created it (plain keys:
/// lexicographic unsigned byte order), identically for the RocksDB and in-memory stores.
///
/// Lifetime: the views returned by `key()` and `value()` are valid until the next call to
/// `next()` or the iterator's destruction. An iterator must be destroyed before the store that
/// created it is closed, and before `commit_batch()`/`abort_batch()` on that store. Writes to
/// the store while an iterator is open are allowed and never invalidate it; whether the
/// iterator sees them is unspecified (RocksDB iterators read a snapshot, in-memory ones do not).
///
/// Thread safety: an iterator belongs to the thread that owns its store.

#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

namespace sluice::state {

/// Direction of a scan: ascending or descending key order.
enum class iteration_order : std::uint8_t { forward, reverse };

/// An owned key and value, as collected from an iterator.
struct key_value {
  bytes key;
  bytes value;

  bool operator==(const key_value&) const = default;
};

/// What a store implements to produce a `key_value_iterator`.
class iterator_source {
 public:
  virtual ~iterator_source() = default;
  virtual bool valid() const noexcept = 0;
  /// REQUIRES: valid().
  virtual bytes_view key() const noexcept = 0;
  /// REQUIRES: valid().
  virtual bytes_view value() const noexcept = 0;
  /// REQUIRES: valid().
  virtual void next() = 0;
  /// An error that ended the iteration early, or a default (success) code.
  virtual std::error_code status() const noexcept = 0;
};

class key_value_iterator {
 public:
  /// An iterator over nothing.
  key_value_iterator() noexcept = default;
  explicit key_value_iterator(std::unique_ptr<iterator_source> source) noexcept
      : _source(std::move(source)) {}

  key_value_iterator(key_value_iterator&&) noexcept = default;
  key_value_iterator& operator=(key_value_iterator&&) noexcept = default;
  key_value_iterator(const key_value_iterator&) = delete;
  key_value_iterator& operator=(const key_value_iterator&) = delete;
  ~key_value_iterator() = default;

  bool valid() const noexcept { return _source && _source->valid(); }
  /// REQUIRES: valid(). Borrowed until next().
  bytes_view key() const noexcept { return _source->key(); }
  /// REQUIRES: valid(). Borrowed until next().
  bytes_view value() const noexcept { return _source->value(); }
  /// REQUIRES: valid().
  void next() { _source->next(); }
  /// Success if the iteration ended (or has not yet ended) without error.
  result<void> status() const;

  /// Drains the remaining entries into owned pairs; fails if the iteration fails.
  result<std::vector<key_value>> collect();

  /// Gives the implementation back (for decorators that wrap iterators).
  std::unique_ptr<iterator_source> release() && noexcept { return std::move(_source); }

 private:
  std::unique_ptr<iterator_source> _source;
};

}  // namespace sluice::state
