#include "state/detail/store_meta.h"

#include "core/big_endian.h"
#include "state/errc.h"

#include <stdexcept>
#include <string>

namespace sluice::state::detail {

result<void> check_format(engine& e, store_kind kind, std::span<const meta_write> stamp) {
  SLUICE_TRY(auto stored, e.get_meta(meta_format));
  if (!stored) {
    if (!e.keyspaces().empty()) return errc::incompatible_store;  // not written by Sluice
    const bytes format{std::byte{store_format_version}, static_cast<std::byte>(kind)};
    auto batch = e.new_batch();
    batch.put_meta(meta_format, format);
    for (const auto& m : stamp) batch.put_meta(m.key, m.value);
    SLUICE_TRY(e.write(std::move(batch)));
    return e.flush();
  }
  if (stored->size() != 2 || std::to_integer<std::uint8_t>((*stored)[0]) != store_format_version ||
      std::to_integer<std::uint8_t>((*stored)[1]) != static_cast<std::uint8_t>(kind)) {
    return errc::incompatible_store;
  }
  return core::success();
}

result<std::optional<std::int64_t>> read_i64_meta(engine& e, std::string_view key) {
  SLUICE_TRY(auto stored, e.get_meta(key));
  if (!stored) return std::optional<std::int64_t>();
  if (stored->size() != 8) return errc::corruption;
  return std::optional<std::int64_t>(static_cast<std::int64_t>(core::load_be<std::uint64_t>(stored->data())));
}

result<std::optional<core::offset>> read_position(engine& e) {
  SLUICE_TRY(auto v, read_i64_meta(e, meta_position));
  if (!v) return std::optional<core::offset>();
  return std::optional<core::offset>(core::offset(*v));
}

void validate_store_name(std::string_view name) {
  auto fail = [&](const char* why) {
    throw std::invalid_argument("state store name '" + std::string(name) + "' " + why);
  };
  if (name.empty() || name.size() > 249) fail("must have 1 to 249 characters");
  if (name == "." || name == "..") fail("must not be '.' or '..'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) fail("may only contain ASCII letters, digits, '.', '_' and '-'");
  }
}

}  // namespace sluice::state::detail
