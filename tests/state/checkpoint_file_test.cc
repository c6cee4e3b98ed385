// Checkpoint files: round trip, the exact format, atomic replacement, tolerant and strict reads.

#include "state/checkpoint_file.h"
#include "state/errc.h"
#include "tests/state/test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sluice::state::testing {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::filesystem::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

checkpoint_entry entry(std::string store, std::string topic, std::int32_t partition,
                       std::int64_t off) {
  return {std::move(store), core::topic_partition{std::move(topic), partition_id(partition)},
          offset(off)};
}

TEST(checkpoint_file, missing_file_reads_as_empty) {
  temp_dir dir;
  checkpoint_file f(dir.path() / checkpoint_file::default_name);
  auto r = f.read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.value().empty());
  EXPECT_TRUE(f.remove());  // removing a missing file is fine
}

TEST(checkpoint_file, round_trips_sorted_by_store) {
  temp_dir dir;
  checkpoint_file f(dir.path() / ".checkpoint");
  const std::vector<checkpoint_entry> entries = {
      entry("word-counts", "app-word-counts-changelog", 3, 1234),
      entry("joins.left", "app-joins.left-changelog", 0, 0)};
  ASSERT_TRUE(f.write(entries));
  auto r = f.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value(), (std::vector<checkpoint_entry>{entries[1], entries[0]}));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".checkpoint.tmp"));
  // Replacing drops old entries.
  const std::vector<checkpoint_entry> next = {
      entry("word-counts", "app-word-counts-changelog", 3, 2000)};
  ASSERT_TRUE(f.write(next));
  EXPECT_EQ(f.read().value(), next);
  ASSERT_TRUE(f.remove());
  EXPECT_TRUE(f.read().value().empty());
}

TEST(checkpoint_file, writes_the_documented_format) {
  temp_dir dir;
  checkpoint_file f(dir.path() / ".checkpoint");
  const std::vector<checkpoint_entry> entries = {entry("s", "t", 1, 42)};
  ASSERT_TRUE(f.write(entries));
  const std::string text = slurp(f.path());
  // The checksum is CRC-32C of the first three lines, computed independently of the writer.
  EXPECT_EQ(text, "sluice-checkpoint 1\n1\ns t 1 42\ncrc32c 5e78d857\n");
}

TEST(checkpoint_file, empty_checkpoint_is_valid) {
  temp_dir dir;
  checkpoint_file f(dir.path() / ".checkpoint");
  ASSERT_TRUE(f.write({}));
  auto r = f.read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.value().empty());
}

TEST(checkpoint_file, rejects_bad_entries_on_write) {
  temp_dir dir;
  checkpoint_file f(dir.path() / ".checkpoint");
  const std::vector<checkpoint_entry> spaces = {entry("a b", "t", 0, 1)};
  EXPECT_EQ(f.write(spaces).error(), errc::invalid_argument);
  const std::vector<checkpoint_entry> negative = {entry("a", "t", 0, -1)};
  EXPECT_EQ(f.write(negative).error(), errc::invalid_argument);
  const std::vector<checkpoint_entry> twice = {entry("a", "t", 0, 1), entry("a", "u", 0, 2)};
  EXPECT_EQ(f.write(twice).error(), errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(f.path()));
}

TEST(checkpoint_file, any_damage_is_corruption) {
  temp_dir dir;
  checkpoint_file f(dir.path() / ".checkpoint");
  const std::vector<checkpoint_entry> entries = {entry("a", "t", 0, 10), entry("b", "t", 1, 20)};
  ASSERT_TRUE(f.write(entries));
  const std::string good = slurp(f.path());

  auto expect_corrupt = [&](const std::string& text, const char* what) {
    spit(f.path(), text);
    auto r = f.read();
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error(), errc::corruption) << what;
  };
  expect_corrupt(good.substr(0, good.size() - 1), "missing final newline");
  expect_corrupt(good.substr(0, good.size() / 2), "torn in the middle");
  expect_corrupt(good + "x\n", "trailing bytes");
  std::string flipped = good;
  flipped[good.find("10")] = '9';  // offset 10 -> 90: still well-formed, wrong checksum
  expect_corrupt(flipped, "changed offset");
  expect_corrupt("", "empty file");
  expect_corrupt("garbage\n", "not a checkpoint");
  std::string swapped = good;
  swapped.replace(swapped.find("\n2\n"), 3, "\n3\n");
  expect_corrupt(swapped, "wrong count");

  spit(f.path(), "sluice-checkpoint 2\n0\ncrc32c 00000000\n");
  auto other_version = f.read();
  ASSERT_FALSE(other_version);
  EXPECT_EQ(other_version.error(), errc::incompatible_store);
}

TEST(checkpoint_file, unreadable_path_is_an_io_error) {
  temp_dir dir;
  // A directory where the file should be.
  std::filesystem::create_directory(dir.path() / ".checkpoint");
  checkpoint_file f(dir.path() / ".checkpoint");
  const std::vector<checkpoint_entry> entries = {entry("a", "t", 0, 1)};
  auto w = f.write(entries);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error(), errc::io_error);
  auto r = f.read();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::io_error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".checkpoint.tmp"));
}

}  // namespace
}  // namespace sluice::state::testing
