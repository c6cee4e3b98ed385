#include "core/protocol/reader.h"

#include "core/protocol/writer.h"
#include "golden.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::protocol {
namespace {

TEST(reader, integers_of_every_width) {
  const auto b = hex(
      "ff"                        // int8 -1
      "80 00"                     // int16 -32768
      "ff ff ff fe"               // int32 -2
      "01 02 03 04 05 06 07 08"   // int64
      "01"                        // bool true
      "00"                        // bool false
      "02");                      // bool: any non-zero is true
  reader r(b);
  EXPECT_EQ(r.read_int8(), -1);
  EXPECT_EQ(r.read_int16(), -32768);
  EXPECT_EQ(r.read_int32(), -2);
  EXPECT_EQ(r.read_int64(), 0x0102030405060708);
  EXPECT_TRUE(r.read_bool());
  EXPECT_FALSE(r.read_bool());
  EXPECT_TRUE(r.read_bool());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  // Reading past the end fails, returns zero and stays failed.
  EXPECT_EQ(r.read_int32(), 0);
  EXPECT_FALSE(r.ok());
}

TEST(reader, failure_is_sticky) {
  const auto b = hex("00 01 02");
  reader r(b);
  EXPECT_EQ(r.read_int32(), 0);  // only 3 bytes
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.read_int8(), 0);  // even though a byte existed before the failure
  EXPECT_FALSE(r.ok());
}

TEST(reader, uuid) {
  const auto b = hex("00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff");
  reader r(b);
  const uuid id = r.read_uuid();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(id.value[0], 0x00);
  EXPECT_EQ(id.value[15], 0xff);
}

TEST(reader, unsigned_varint) {
  const auto b = hex(
      "00"              // 0
      "7f"              // 127
      "80 01"           // 128
      "ac 02"           // 300
      "ff ff ff ff 0f"  // 0xffffffff
  );
  reader r(b);
  EXPECT_EQ(r.read_uvarint(), 0u);
  EXPECT_EQ(r.read_uvarint(), 127u);
  EXPECT_EQ(r.read_uvarint(), 128u);
  EXPECT_EQ(r.read_uvarint(), 300u);
  EXPECT_EQ(r.read_uvarint(), 0xffffffffu);
  EXPECT_TRUE(r.ok());
}

TEST(reader, unsigned_varint_too_long_fails) {
  const auto b = hex("ff ff ff ff 1f");  // 5th byte carries more than 4 bits
  reader r(b);
  (void)r.read_uvarint();
  EXPECT_FALSE(r.ok());
  const auto c = hex("80 80 80 80 80 00");  // 6 bytes
  reader r2(c);
  (void)r2.read_uvarint();
  EXPECT_FALSE(r2.ok());
  const auto d = hex("80");  // continuation bit but no more bytes
  reader r3(d);
  (void)r3.read_uvarint();
  EXPECT_FALSE(r3.ok());
}

TEST(reader, zigzag_varint_and_varlong) {
  const auto b = hex(
      "00"     // 0
      "01"     // -1
      "02"     // 1
      "03"     // -2
      "ff ff ff ff 0f"  // int32 min (zigzag 0xffffffff)
      "fe ff ff ff 0f"  // int32 max
      "ff ff ff ff ff ff ff ff ff 01"  // int64 min
      "96 01");  // varlong 75
  reader r(b);
  EXPECT_EQ(r.read_varint(), 0);
  EXPECT_EQ(r.read_varint(), -1);
  EXPECT_EQ(r.read_varint(), 1);
  EXPECT_EQ(r.read_varint(), -2);
  EXPECT_EQ(r.read_varint(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(r.read_varint(), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(r.read_varlong(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.read_varlong(), 75);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(reader, varlong_too_long_fails) {
  const auto b = hex("ff ff ff ff ff ff ff ff ff 03");  // 10th byte has more than 1 bit
  reader r(b);
  (void)r.read_varlong();
  EXPECT_FALSE(r.ok());
}

TEST(reader, classic_strings) {
  const auto b = hex(
      "00 03 'abc'"  // "abc"
      "00 00"        // ""
      "ff ff"        // null
      "00 02 'hi'");
  reader r(b);
  EXPECT_EQ(r.read_string(), "abc");
  EXPECT_EQ(r.read_nullable_string(), std::optional<std::string>(""));
  EXPECT_EQ(r.read_nullable_string(), std::nullopt);
  EXPECT_EQ(r.read_string_view(), "hi");
  EXPECT_TRUE(r.ok());
}

TEST(reader, non_nullable_string_rejects_null) {
  const auto b = hex("ff ff");
  reader r(b);
  (void)r.read_string();
  EXPECT_FALSE(r.ok());
}

TEST(reader, negative_string_length_below_minus_one_fails) {
  const auto b = hex("ff fe 'ab'");
  reader r(b);
  (void)r.read_nullable_string();
  EXPECT_FALSE(r.ok());
}

TEST(reader, compact_strings) {
  const auto b = hex(
      "04 'abc'"  // length+1 = 4
      "01"        // ""
      "00"        // null
      "03 'hi'");
  reader r(b);
  EXPECT_EQ(r.read_compact_string(), "abc");
  EXPECT_EQ(r.read_compact_nullable_string(), std::optional<std::string>(""));
  EXPECT_EQ(r.read_compact_nullable_string(), std::nullopt);
  EXPECT_EQ(r.read_compact_string_view(), "hi");
  EXPECT_TRUE(r.ok());
  const auto n = hex("00");
  reader r2(n);
  (void)r2.read_compact_string();
  EXPECT_FALSE(r2.ok());
}

TEST(reader, string_views_borrow_the_buffer) {
  const auto b = hex("00 03 'xyz'");
  reader r(b);
  const std::string_view v = r.read_string_view();
  EXPECT_EQ(static_cast<const void*>(v.data()), static_cast<const void*>(b.data() + 2));
}

TEST(reader, bytes_classic_and_compact) {
  const auto b = hex(
      "00 00 00 02 01 02"  // bytes {1,2}
      "ff ff ff ff"        // null
      "00 00 00 00"        // empty
      "03 0a 0b"           // compact {a,b}
      "00"                 // compact null
      "01");               // compact empty
  reader r(b);
  EXPECT_EQ(r.read_bytes(), hex("01 02"));
  EXPECT_EQ(r.read_nullable_bytes(), std::nullopt);
  EXPECT_EQ(r.read_nullable_bytes(), std::optional<core::bytes>(core::bytes{}));
  EXPECT_EQ(r.read_compact_bytes(), hex("0a 0b"));
  EXPECT_EQ(r.read_compact_nullable_bytes(), std::nullopt);
  EXPECT_EQ(r.read_compact_nullable_bytes(), std::optional<core::bytes>(core::bytes{}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(reader, huge_lengths_fail_before_allocating) {
  // Each prefix claims far more than is present. If the reader allocated first, these would
  // try to reserve up to 2 GiB (or 4 G elements); instead they fail on the length check.
  {
    const auto b = hex("7f ff 'ab'");  // string of 32767
    reader r(b);
    EXPECT_EQ(r.read_string(), "");
    EXPECT_FALSE(r.ok());
  }
  {
    const auto b = hex("7f ff ff ff 01 02");  // bytes of INT32_MAX
    reader r(b);
    EXPECT_TRUE(r.read_bytes().empty());
    EXPECT_FALSE(r.ok());
  }
  {
    const auto b = hex("ff ff ff ff 0f 01");  // compact bytes of 0xfffffffe
    reader r(b);
    EXPECT_TRUE(r.read_compact_bytes().empty());
    EXPECT_FALSE(r.ok());
  }
  {
    const auto b = hex("7f ff ff ff 00 00 00 01");  // array of INT32_MAX elements
    reader r(b);
    EXPECT_EQ(r.read_array_length(), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    const auto b = hex("ff ff ff ff 0f 00");  // compact array of 0xfffffffe elements
    reader r(b);
    EXPECT_EQ(r.read_compact_array_length(), 0);
    EXPECT_FALSE(r.ok());
  }
}

TEST(reader, array_length_is_bounded_by_element_size) {
  const auto b = hex("00 00 00 02 00 00 00 01 00 00 00 02");  // 2 elements, 8 bytes follow
  {
    reader r(b);
    EXPECT_EQ(r.read_array_length(4), 2);
    EXPECT_TRUE(r.ok());
  }
  {
    reader r(b);
    EXPECT_EQ(r.read_array_length(8), 0);  // 2 x 8 > 8 remaining
    EXPECT_FALSE(r.ok());
  }
  const auto null_array = hex("ff ff ff ff");
  reader r(null_array);
  EXPECT_EQ(r.read_array_length(), -1);
  EXPECT_TRUE(r.ok());
  const auto bad = hex("ff ff ff fe");
  reader r2(bad);
  (void)r2.read_array_length();
  EXPECT_FALSE(r2.ok());
  const auto compact = hex("00 03 ab cd");  // null, then 2 elements
  reader r3(compact);
  EXPECT_EQ(r3.read_compact_array_length(), -1);
  EXPECT_EQ(r3.read_compact_array_length(), 2);
  EXPECT_TRUE(r3.ok());
}

TEST(reader, tagged_fields_are_skipped) {
  const auto b = hex(
      "02"           // 2 tagged fields
      "00 02 aa bb"  // tag 0, 2 bytes
      "81 01 01 cc"  // tag 129, 1 byte
      "7e");         // next field
  reader r(b);
  r.skip_tagged_fields();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.read_int8(), 0x7e);
  const auto truncated = hex("01 00 05 aa");  // tag claims 5 bytes, 1 present
  reader r2(truncated);
  r2.skip_tagged_fields();
  EXPECT_FALSE(r2.ok());
}

TEST(reader, raw_and_positions) {
  const auto b = hex("01 02 03 04");
  reader r(b);
  EXPECT_EQ(r.position(), 0u);
  const auto v = r.read_raw(3);
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.remaining(), 1u);
  (void)r.read_raw(2);
  EXPECT_FALSE(r.ok());
}

TEST(writer, mirrors_reader) {
  core::bytes out;
  writer w(out);
  w.write_int8(-1);
  w.write_int16(0x0102);
  w.write_int32(-2);
  w.write_int64(0x0102030405060708);
  w.write_bool(true);
  w.write_uvarint(300);
  w.write_varint(-1);
  w.write_varlong(std::numeric_limits<int64_t>::min());
  w.write_string("abc");
  w.write_nullable_string(std::nullopt);
  w.write_compact_string("hi");
  w.write_compact_nullable_string(std::nullopt);
  w.write_bytes(hex("01 02"));
  w.write_nullable_bytes(std::nullopt);
  w.write_compact_bytes(hex("0a"));
  w.write_compact_nullable_bytes(std::nullopt);
  w.write_array_length(-1);
  w.write_compact_array_length(2);
  w.write_empty_tagged_fields();
  EXPECT_EQ(out, hex("ff"
                     "01 02"
                     "ff ff ff fe"
                     "01 02 03 04 05 06 07 08"
                     "01"
                     "ac 02"
                     "01"
                     "ff ff ff ff ff ff ff ff ff 01"
                     "00 03 'abc'"
                     "ff ff"
                     "03 'hi'"
                     "00"
                     "00 00 00 02 01 02"
                     "ff ff ff ff"
                     "02 0a"
                     "00"
                     "ff ff ff ff"
                     "03"
                     "00"))
      << test::dump(out);
}

TEST(writer, varints_round_trip) {
  const int64_t longs[] = {0, 1, -1, 63, -64, 64, 1LL << 40, -(1LL << 40),
                           std::numeric_limits<int64_t>::max(),
                           std::numeric_limits<int64_t>::min()};
  const int32_t ints[] = {0, 1, -1, 1000, -1000, std::numeric_limits<int32_t>::max(),
                          std::numeric_limits<int32_t>::min()};
  const uint32_t uints[] = {0, 1, 127, 128, 16383, 16384, 0xffffffffu};
  core::bytes out;
  writer w(out);
  for (auto v : longs) w.write_varlong(v);
  for (auto v : ints) w.write_varint(v);
  for (auto v : uints) w.write_uvarint(v);
  reader r(out);
  for (auto v : longs) EXPECT_EQ(r.read_varlong(), v);
  for (auto v : ints) EXPECT_EQ(r.read_varint(), v);
  for (auto v : uints) EXPECT_EQ(r.read_uvarint(), v);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(writer, reserve_and_fill_size_prefix) {
  core::bytes out = hex("aa");  // pre-existing content is kept
  writer w(out);
  const size_t at = w.reserve_int32();
  w.write_int16(7);
  w.write_string("x");
  w.fill_size_since(at);
  EXPECT_EQ(out, hex("aa 00 00 00 05 00 07 00 01 'x'"));
  w.fill_int32(at, -1);
  EXPECT_EQ(out, hex("aa ff ff ff ff 00 07 00 01 'x'"));
  EXPECT_EQ(w.size(), out.size());
}

TEST(writer, uuid) {
  uuid id;
  for (size_t i = 0; i < id.value.size(); ++i) id.value[i] = static_cast<uint8_t>(i);
  core::bytes out;
  writer w(out);
  w.write_uuid(id);
  reader r(out);
  EXPECT_EQ(r.read_uuid(), id);
  EXPECT_EQ(out.size(), 16u);
}

}  // namespace
}  // namespace sluice::protocol
