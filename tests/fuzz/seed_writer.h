#pragma once
// Writes fuzz seeds: valid inputs for the fuzz targets, taken from the golden tests
// (tests/core/protocol/golden.h calls `write_request_seed` for every request it checks) and
// from the seed tests in tests/fuzz/seeds/. Nothing is written unless the environment variable
// SLUICE_FUZZ_SEED_DIR names a directory; then each seed becomes
// `$SLUICE_FUZZ_SEED_DIR/<target>/<hash of its bytes>`, so that equal seeds are written once.
// `scripts/fuzz` and the `fuzz.seeds` ctest run `sluice_fuzz_seeds` with it set.
//
// Thread safety: the tests that call it run on one thread.

#include "core/protocol/api_key.h"
#include "core/protocol/request_header.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace sluice::fuzz {

/// $SLUICE_FUZZ_SEED_DIR, or empty.
inline const std::filesystem::path& seed_dir() {
  static const std::filesystem::path dir = [] {
    const char* d = std::getenv("SLUICE_FUZZ_SEED_DIR");
    return d != nullptr ? std::filesystem::path(d) : std::filesystem::path();
  }();
  return dir;
}

/// Writes `data` as a seed of `target` when seeds are being collected.
inline void write_seed(std::string_view target, core::bytes_view data) {
  if (seed_dir().empty()) return;
  uint64_t h = 14695981039346656037ull;  // FNV-1a: a stable name that dedupes equal seeds
  for (const std::byte b : data) h = (h ^ static_cast<uint8_t>(b)) * 1099511628211ull;
  const auto dir = seed_dir() / std::string(target);
  std::filesystem::create_directories(dir);
  char name[17];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(h));
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

/// A request frame as the dispatcher receives it (after the int32 size): the request header
/// for (key, version), then `body`.
inline core::bytes request_frame(protocol::api_key key, int16_t version, core::bytes_view body) {
  core::bytes out;
  protocol::writer w(out);
  protocol::request_header header;
  header.key = key;
  header.api_version = version;
  header.correlation_id = 7;
  header.client_id = "fuzz";
  header.encode(w);
  w.write_raw(body);
  return out;
}

/// Writes a request body as a seed of the `api_requests` and `request_header` targets, whose
/// inputs are whole request frames.
inline void write_request_seed(protocol::api_key key, int16_t version, core::bytes_view body) {
  if (seed_dir().empty()) return;
  const core::bytes frame = request_frame(key, version, body);
  write_seed("api_requests", frame);
  write_seed("request_header", frame);
}

}  // namespace sluice::fuzz
