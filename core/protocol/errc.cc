#include "core/protocol/errc.h"

namespace sluice::protocol {
namespace {

class protocol_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.broker.protocol"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::malformed: return "malformed protocol message";
      case errc::unsupported_version: return "unsupported API version";
      case errc::unknown_api_key: return "unknown API key";
      case errc::corrupt_batch: return "corrupt record batch";
      case errc::unsupported_compression: return "unsupported compression codec";
      case errc::compression_failed: return "compression failed";
      case errc::decompression_failed: return "decompression failed";
      case errc::decompressed_too_large: return "decompressed data exceeds the size limit";
      case errc::invalid_argument: return "invalid argument";
    }
    return "unknown sluice.broker.protocol error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& protocol_category() noexcept {
  static const protocol_category_impl instance;
  return instance;
}

}  // namespace sluice::protocol
