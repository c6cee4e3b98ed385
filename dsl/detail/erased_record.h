#pragma once
/// The type-erased record representation that flows between processor nodes, and `erased_box`,
/// an owned object of a type known only to the code that made it.
///
/// Inside a task, nodes pass records as *pointers to typed objects*: the DSL's typed adapters
/// know what K and V are at each edge of the graph (the types are fixed when the topology is
/// built) and cast back; everything in between — the task, the runtime — sees only `void`
/// pointers, bytes and timestamps. A record is never serialized between two nodes of one task.
///
/// Lifetimes: an `erased_record` borrows its key, value and headers from the caller of
/// `processor_node::process`; they are valid for the duration of that call only. A node that
/// keeps a record for later (a buffer, a store) copies or serializes it.
///
/// Thread safety: plain data; owned by the one thread that runs the task.

#include "core/record.h"
#include "core/time.h"

#include <memory>
#include <type_traits>
#include <utility>

namespace sluice::dsl {

using core::millis;

struct erased_record {
  /// The key object (a K whose type the receiving node knows), or nullptr for a null key.
  const void* key = nullptr;
  /// The value object, or nullptr for a null value (a tombstone in a table).
  const void* value = nullptr;
  timestamp ts{};
  /// The record's headers. Never nullptr when a node receives the record.
  const core::headers* hdrs = nullptr;
};

/// An owned object of an erased type: a pointer and the function that destroys it.
class erased_box {
 public:
  erased_box() noexcept = default;
  template <class T, class... Args>
  static erased_box make(Args&&... args) {
    erased_box b;
    b._ptr = new T(std::forward<Args>(args)...);  // owned by the box; deleted by `destroy<T>`
    b._destroy = &destroy<T>;
    return b;
  }
  erased_box(erased_box&& o) noexcept
      : _ptr(std::exchange(o._ptr, nullptr)), _destroy(o._destroy) {}
  erased_box& operator=(erased_box&& o) noexcept {
    if (this != &o) {
      reset();
      _ptr = std::exchange(o._ptr, nullptr);
      _destroy = o._destroy;
    }
    return *this;
  }
  erased_box(const erased_box&) = delete;
  erased_box& operator=(const erased_box&) = delete;
  ~erased_box() { reset(); }

  void reset() noexcept {
    if (_ptr != nullptr) _destroy(_ptr);
    _ptr = nullptr;
  }
  /// The object, or nullptr if the box is empty.
  const void* get() const noexcept { return _ptr; }
  explicit operator bool() const noexcept { return _ptr != nullptr; }

 private:
  template <class T>
  static void destroy(void* p) noexcept {
    delete static_cast<T*>(p);
  }
  void* _ptr = nullptr;
  void (*_destroy)(void*) noexcept = nullptr;
};

namespace detail {

/// The T behind an erased pointer; a null pointer (a null key or value) reads as a
/// default-constructed T, which is what the DSL's typed functions see for null keys and values.
template <class T>
const T& deref(const void* p) {
  if (p != nullptr) [[likely]]
    return *static_cast<const T*>(p);
  if constexpr (std::is_default_constructible_v<T>) {
    static const T empty{};
    return empty;
  } else {
    static_assert(
        std::is_default_constructible_v<T>,
        "null keys/values are shown to DSL functions as T{}: T must be default-constructible");
  }
}

}  // namespace detail
}  // namespace sluice::dsl
