#pragma once
/// Record-batch compression codecs, through the system libraries.
///
/// | codec  | id | compress writes                          | decompress accepts                    |
/// |--------|----|------------------------------------------|---------------------------------------|
/// | none   | 0  | a copy                                   | a copy                                |
/// | gzip   | 1  | a gzip stream (zlib, default level)      | gzip or zlib streams, several members |
/// | snappy | 2  | raw snappy (what librdkafka writes)      | raw snappy, or the Java xerial framing |
/// | lz4    | 3  | one LZ4 frame, 64 KiB independent blocks | LZ4 frames (several, concatenated)    |
/// | zstd   | 4  | one zstd frame (level 3)                 | zstd frames (several, concatenated)   |
///
/// Levels (`compress`'s `level`, Kafka's compression.<codec>.level; nullopt = the defaults
/// above): gzip 1–9 or -1 (zlib's default, 6); lz4 1–17, where 9 — Kafka's default — is
/// LZ4's fast mode, as Kafka's own lz4 writer does, and any other level is passed to the LZ4
/// frame API (below 3 fast mode, 3–12 high compression, above 12 capped at 12); zstd as given
/// (Kafka accepts -131072 to 22). snappy and none have no level.
///
/// Xerial framing (Java clients' snappy): 8-byte magic `82 'SNAPPY' 00`, int32 version,
/// int32 minimum compatible version, then blocks of int32 big-endian length + raw snappy.
///
/// Decompression is bounded: it fails with `errc::decompressed_too_large` as soon as the output
/// would exceed `max_output`, and never allocates more than `max_output` + 1 bytes — a
/// "zip bomb" costs at most that much memory. Corrupt input fails with
/// `errc::decompression_failed`.
///
/// Thread safety: pure functions, callable from any thread.

#include "core/bytes.h"
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::protocol {

/// The codec in bits 0–2 of a record batch's attributes.
enum class compression_codec : int8_t {
  none = 0,
  gzip = 1,
  snappy = 2,
  lz4 = 3,
  zstd = 4,
};

/// The codec for attribute bits 0–2, or nullopt for the unassigned values 5–7.
std::optional<compression_codec> to_compression_codec(int bits) noexcept;

/// "none", "gzip", "snappy", "lz4", "zstd" (the `compression.type` spellings).
std::string_view name(compression_codec codec) noexcept;

/// Compresses `input` with `codec`, at `level` (see above; nullopt = the codec's default).
result<core::bytes> compress(compression_codec codec, core::bytes_view input,
                             std::optional<int32_t> level = std::nullopt);

/// Decompresses `input`, producing at most `max_output` bytes.
result<core::bytes> decompress(compression_codec codec, core::bytes_view input,
                               size_t max_output);

}  // namespace sluice::protocol
