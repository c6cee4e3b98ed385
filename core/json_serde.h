#pragma once
/// `serdes::json<T>`: T as UTF-8 JSON text through nlohmann::json.
///
/// T needs nlohmann's `to_json`/`from_json` (for example through
/// `NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE`), and must be default-constructible unless it has an
/// `adl_serializer` specialization. Kept apart from "core/serde.h" because nlohmann's header is
/// heavy; include this only where a JSON serde is named.
///
/// Failures never escape as exceptions: malformed JSON, trailing garbage, a missing field or a
/// wrongly typed one (anything `from_json` throws) becomes errc::deserialization_failed; a
/// value that cannot be written (for example a std::string that is not valid UTF-8) becomes
/// errc::serialization_failed. Only std::bad_alloc propagates.
///
/// Input nested deeper than `json<T>::max_depth` arrays/objects is rejected before parsing:
/// nlohmann copies and converts documents recursively, so a hostile record of a few hundred
/// kilobytes of '[' would otherwise overflow the stack.
///
/// Thread safety: stateless; callable from any thread.

#include "core/serde.h"

#include <nlohmann/json.hpp>

#include <new>
#include <string>
#include <string_view>

namespace sluice::core {
namespace detail {
/// Whether the JSON text nests arrays/objects at most `max_depth` deep (strings are skipped;
/// the text need not be valid JSON).
bool json_nesting_within(std::string_view text, int max_depth) noexcept;
}  // namespace detail

namespace serdes {

template <class T>
struct json {
  /// The deepest array/object nesting accepted on input.
  static constexpr int max_depth = 512;

  result<core::bytes> serialize(const T& value) const {
    try {
      const nlohmann::json document = value;
      return to_bytes(document.dump());
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception&) {
      return failure(make_error_code(errc::serialization_failed));
    }
  }

  result<T> deserialize(bytes_view data) const {
    try {
      const auto text = as_string_view(data);
      if (!detail::json_nesting_within(text, max_depth)) {
        return failure(make_error_code(errc::deserialization_failed));
      }
      const auto document = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                                  /*allow_exceptions=*/false);
      if (document.is_discarded()) return failure(make_error_code(errc::deserialization_failed));
      return document.template get<T>();
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception&) {
      return failure(make_error_code(errc::deserialization_failed));
    }
  }
};

}  // namespace serdes
}  // namespace sluice::core
