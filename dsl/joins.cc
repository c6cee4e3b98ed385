#include "dsl/joins.h"
#include "core/big_endian.h"

namespace sluice::dsl::detail {

bytes outer_buffer_key(timestamp ts, bool left_side, uint32_t seqnum, bytes_view key) {
  bytes out;
  out.reserve(13 + key.size());
  core::append_be<int64_t>(out, core::to_epoch_ms(ts));
  out.push_back(std::byte{left_side ? uint8_t{0} : uint8_t{1}});
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::byte>((seqnum >> (i * 8)) & 0xFFU));
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

outer_buffer_entry parse_outer_buffer_key(bytes_view k) {
  return outer_buffer_entry{core::from_epoch_ms(core::load_be<int64_t>((k.first(8).data()))), k[8] == std::byte{0},
                            k.subspan(13)};
}

}  // namespace sluice::dsl::detail
