#include "core/protocol/compression.h"

#include "core/protocol/errc.h"
#include "core/assert.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

namespace sluice::protocol {
namespace {

// ---- bounded output buffer ----------------------------------------------------------------

/// An output buffer that grows geometrically but never beyond `limit + 1` bytes: filling that
/// last byte proves the output is too large without allocating any further.
class bounded_output {
 public:
  bounded_output(size_t limit, size_t expected)
      : _cap(limit == SIZE_MAX ? limit : limit + 1), _limit(limit) {
    _buf.resize(std::min(_cap, std::max<size_t>(expected, 4096)));
  }

  /// Makes room for more output. False if the cap has been reached (too large).
  bool make_room() {
    if (_used < _buf.size()) return true;
    if (_buf.size() >= _cap) return false;
    const size_t next = _buf.size() > _cap / 2 ? _cap : _buf.size() * 2;
    _buf.resize(next);
    return true;
  }
  std::byte* free_data() noexcept { return _buf.data() + _used; }
  size_t free_size() const noexcept { return _buf.size() - _used; }
  bool full() const noexcept { return _used == _buf.size(); }
  void commit(size_t n) noexcept { _used += n; }

  /// The output, or decompressed_too_large.
  result<core::bytes> finish() {
    if (_used > _limit) return errc::decompressed_too_large;
    _buf.resize(_used);
    return std::move(_buf);
  }

 private:
  core::bytes _buf;
  size_t _used = 0;
  size_t _cap;
  size_t _limit;
};

/// Initial guess for the decompressed size: typical ratios are 2–5x.
size_t expected_size(size_t input) { return input > SIZE_MAX / 4 ? input : input * 4; }

const char* as_chars(const std::byte* p) { return reinterpret_cast<const char*>(p); }
char* as_chars(std::byte* p) { return reinterpret_cast<char*>(p); }

// ---- gzip (zlib) --------------------------------------------------------------------------

result<core::bytes> gzip_compress(bytes_view input, int level) {
  z_stream zs{};
  // windowBits 15 + 16: write a gzip header and trailer.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return errc::compression_failed;
  }
  if (input.size() > UINT_MAX) {
    deflateEnd(&zs);
    return errc::compression_failed;
  }
  core::bytes out(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return errc::compression_failed;
  out.resize(produced);
  return out;
}

result<core::bytes> gzip_decompress(bytes_view input, size_t max_output) {
  if (input.size() > UINT_MAX) return errc::decompression_failed;
  z_stream zs{};
  // windowBits 15 + 32: accept a gzip or zlib header.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return errc::decompression_failed;
  struct closer {
    z_stream* s;
    ~closer() { inflateEnd(s); }
  } close{&zs};

  bounded_output out(max_output, expected_size(input.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  for (;;) {
    if (!out.make_room()) return errc::decompressed_too_large;
    const size_t room = std::min<size_t>(out.free_size(), UINT_MAX);
    zs.next_out = reinterpret_cast<Bytef*>(out.free_data());
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.commit(room - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (concatenated streams are valid gzip).
      if (inflateReset(&zs) != Z_OK) return errc::decompression_failed;
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more output space
    return errc::decompression_failed;  // corrupt, or the stream ended early
  }
  return out.finish();
}

// ---- snappy -------------------------------------------------------------------------------

constexpr unsigned char xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;  // magic + int32 version + int32 compatible version

bool is_xerial(bytes_view input) {
  return input.size() >= xerial_header_size &&
         std::memcmp(input.data(), xerial_magic, sizeof xerial_magic) == 0;
}

result<core::bytes> snappy_compress(bytes_view input) {
  core::bytes out(snappy::MaxCompressedLength(input.size()));
  size_t n = 0;
  snappy::RawCompress(as_chars(input.data()), input.size(), as_chars(out.data()), &n);
  out.resize(n);
  return out;
}

/// Appends the raw snappy block `block` to `out`, keeping `out` within `max_output`.
result<void> snappy_append_block(bytes_view block, size_t max_output, core::bytes& out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(as_chars(block.data()), block.size(), &n)) {
    return errc::decompression_failed;
  }
  if (n > max_output - out.size()) return errc::decompressed_too_large;
  // The length header is only a claim: check the whole block before allocating for it.
  if (!snappy::IsValidCompressedBuffer(as_chars(block.data()), block.size())) {
    return errc::decompression_failed;
  }
  const size_t at = out.size();
  out.resize(at + n);
  if (!snappy::RawUncompress(as_chars(block.data()), block.size(), as_chars(out.data() + at))) {
    return errc::decompression_failed;
  }
  return core::success();
}

result<core::bytes> snappy_decompress(bytes_view input, size_t max_output) {
  core::bytes out;
  if (!is_xerial(input)) {
    SLUICE_TRY(snappy_append_block(input, max_output, out));
    return out;
  }
  // Xerial framing: after the header, blocks of int32 big-endian length + raw snappy.
  size_t pos = xerial_header_size;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return errc::decompression_failed;
    const auto* p = reinterpret_cast<const uint8_t*>(input.data() + pos);
    const int32_t len = static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                             (uint32_t{p[2]} << 8) | uint32_t{p[3]});
    pos += 4;
    if (len < 0 || static_cast<size_t>(len) > input.size() - pos) {
      return errc::decompression_failed;
    }
    SLUICE_TRY(snappy_append_block(input.subspan(pos, static_cast<size_t>(len)), max_output, out));
    pos += static_cast<size_t>(len);
  }
  return out;
}

// ---- lz4 (frame format) -------------------------------------------------------------------

result<core::bytes> lz4_compress(bytes_view input, int level) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.compressionLevel = level;
  core::bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t n =
      LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return errc::compression_failed;
  out.resize(n);
  return out;
}

result<core::bytes> lz4_decompress(bytes_view input, size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return errc::decompression_failed;
  }
  const std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> dctx(
      raw, &LZ4F_freeDecompressionContext);

  bounded_output out(max_output, expected_size(input.size()));
  const std::byte* src = input.data();
  size_t src_left = input.size();
  for (;;) {
    if (!out.make_room()) return errc::decompressed_too_large;
    size_t dst_n = out.free_size();
    size_t src_n = src_left;
    const size_t hint = LZ4F_decompress(dctx.get(), out.free_data(), &dst_n, src, &src_n, nullptr);
    if (LZ4F_isError(hint)) return errc::decompression_failed;
    out.commit(dst_n);
    src += src_n;
    src_left -= src_n;
    if (hint == 0 && src_left == 0) break;  // every frame complete
    // No progress with room left in the output: the input ended inside a frame.
    if (dst_n == 0 && src_n == 0 && !out.full()) return errc::decompression_failed;
  }
  return out.finish();
}

// ---- zstd ---------------------------------------------------------------------------------

result<core::bytes> zstd_compress(bytes_view input, int level) {
  core::bytes out(ZSTD_compressBound(input.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
  if (ZSTD_isError(n)) return errc::compression_failed;
  out.resize(n);
  return out;
}

result<core::bytes> zstd_decompress(bytes_view input, size_t max_output) {
  const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(),
                                                                  &ZSTD_freeDCtx);
  if (!dctx) return errc::decompression_failed;
  bounded_output out(max_output, expected_size(input.size()));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    if (!out.make_room()) return errc::decompressed_too_large;
    ZSTD_outBuffer dst{out.free_data(), out.free_size(), 0};
    const size_t in_before = in.pos;
    const size_t rc = ZSTD_decompressStream(dctx.get(), &dst, &in);
    if (ZSTD_isError(rc)) return errc::decompression_failed;
    out.commit(dst.pos);
    if (rc == 0 && in.pos == in.size) break;  // frame complete, no more input
    if (dst.pos == 0 && in.pos == in_before && !out.full()) return errc::decompression_failed;
  }
  return out.finish();
}

}  // namespace

std::optional<compression_codec> to_compression_codec(int bits) noexcept {
  if (bits >= 0 && bits <= 4) return static_cast<compression_codec>(bits);
  return std::nullopt;
}

std::string_view name(compression_codec codec) noexcept {
  switch (codec) {
    case compression_codec::none: return "none";
    case compression_codec::gzip: return "gzip";
    case compression_codec::snappy: return "snappy";
    case compression_codec::lz4: return "lz4";
    case compression_codec::zstd: return "zstd";
  }
  return "unknown";
}

result<core::bytes> compress(compression_codec codec, bytes_view input,
                             std::optional<int32_t> level) {
  switch (codec) {
    case compression_codec::none: return core::bytes(input.begin(), input.end());
    case compression_codec::gzip: return gzip_compress(input, level.value_or(Z_DEFAULT_COMPRESSION));
    case compression_codec::snappy: return snappy_compress(input);
    case compression_codec::lz4:
      // Kafka's default lz4 level, 9, means its fast compressor (Lz4BlockOutputStream).
      return lz4_compress(input, !level || *level == 9 ? 0 : *level);
    case compression_codec::zstd: return zstd_compress(input, level.value_or(3));
  }
  return errc::unsupported_compression;
}

result<core::bytes> decompress(compression_codec codec, bytes_view input, size_t max_output) {
  switch (codec) {
    case compression_codec::none:
      if (input.size() > max_output) return errc::decompressed_too_large;
      return core::bytes(input.begin(), input.end());
    case compression_codec::gzip: return gzip_decompress(input, max_output);
    case compression_codec::snappy: return snappy_decompress(input, max_output);
    case compression_codec::lz4: return lz4_decompress(input, max_output);
    case compression_codec::zstd: return zstd_decompress(input, max_output);
  }
  return errc::unsupported_compression;
}

}  // namespace sluice::protocol
