#pragma once
/// Small helpers of the typed DSL headers: serde resolution, type names for error messages,
/// and `lambda_node`, the one node template every stateless operator instantiates.

#include "core/error.h"
#include "core/serde.h"
#include "dsl/detail/erased_record.h"
#include "dsl/parameters.h"
#include "dsl/detail/processor_node.h"
#include "dsl/topology_error.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace sluice::dsl::detail {

/// A readable (demangled) name of a type, for error messages.
std::string type_name(const std::type_info& t);

[[noreturn]] void throw_missing_serde(std::string_view op, std::string_view role,
                                      const std::type_info& t);

/// The first serde given, else `default_serde<T>`; throws topology_error naming `op` if none.
template <class T>
core::serde<T> resolve_serde(std::string_view op, std::string_view role,
                             const std::optional<core::serde<T>>& first,
                             const std::optional<core::serde<T>>& second = std::nullopt) {
  if (first) return *first;
  if (second) return *second;
  if constexpr (core::has_default_serde<T>) {
    return core::make_default_serde<T>();
  } else {
    throw_missing_serde(op, role, typeid(T));
  }
}

/// A serde given, the inherited one, or the default one if T has one; nullopt otherwise
/// (serdes are only required where bytes are produced).
template <class T>
std::optional<core::serde<T>> maybe_serde(
    const std::optional<core::serde<T>>& first,
    const std::optional<core::serde<T>>& second = std::nullopt) {
  if (first) return first;
  if (second) return second;
  if constexpr (core::has_default_serde<T>) {
    return core::make_default_serde<T>();
  } else {
    return std::nullopt;
  }
}

/// A node whose behaviour is one callable `f(const processor_node& self, const erased_record&)`.
template <class F>
class lambda_node final : public processor_node {
 public:
  explicit lambda_node(F f) : _f(std::move(f)) {}
  void process(const erased_record& r) override {
    _f(static_cast<const processor_node&>(*this), r);
  }

 private:
  F _f;
};

template <class F>
std::unique_ptr<processor_node> make_lambda_node(F f) {
  return std::make_unique<lambda_node<F>>(std::move(f));
}

[[noreturn]] void throw_store_error(const processor_node& node, std::string_view store,
                                    std::string_view what, const std::error_code& ec);
[[noreturn]] void throw_serde_error(const processor_node& node, std::string_view what,
                                    const std::error_code& ec);

/// The value of a store call, or processing_error naming node, store and call.
template <class T>
T must(result<T> r, const processor_node& node, std::string_view store, std::string_view what) {
  if (!r) throw_store_error(node, store, what, r.error());
  if constexpr (!std::is_void_v<T>) return std::move(r).value();
}

/// Serialize/deserialize inside a node: failures are processing_error.
template <class T>
bytes encode(const core::serde<T>& s, const T& x, const processor_node& node) {
  auto r = s.serialize(x);
  if (!r) throw_serde_error(node, "serialize", r.error());
  return std::move(r).value();
}
template <class T>
T decode(const core::serde<T>& s, bytes_view b, const processor_node& node) {
  auto r = s.deserialize(b);
  if (!r) throw_serde_error(node, "deserialize", r.error());
  return std::move(r).value();
}

/// The name a `named` asks for, or nullopt.
inline std::optional<std::string> opt_name(const named& n) {
  return n.name.empty() ? std::nullopt : std::optional<std::string>(n.name);
}

/// A record with the same metadata as `r` and new key/value pointers.
inline erased_record with_kv(const erased_record& r, const void* key, const void* value) {
  return erased_record{key, value, r.ts, r.hdrs};
}

}  // namespace sluice::dsl::detail
