#include "state/checkpoint_file.h"

#include "core/crc32c.h"
#include "core/log.h"
#include "state/errc.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <set>

namespace sluice::state {
namespace {

constexpr std::string_view magic = "sluice-checkpoint";
constexpr int version = 1;

const core::logger& log() {
  static const core::logger instance("state.checkpoint");
  return instance;
}

std::error_code io_failure(const char* what, const std::filesystem::path& path, int err) {
  log().error("checkpoint {}: {} failed: {}", path.string(), what, std::strerror(err));
  return errc::io_error;
}

bool valid_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

template <class Int>
bool parse_number(std::string_view s, Int& out) noexcept {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // one canonical spelling
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

/// Splits off the next '\n'-terminated line; false if there is none.
bool next_line(std::string_view& rest, std::string_view& line) noexcept {
  const auto nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const auto sp = line.find(' ', start);
    fields.push_back(line.substr(start, sp == std::string_view::npos ? sp : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return fields;
}

std::string crc_line(std::string_view body) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "crc32c %08x\n",
                static_cast<unsigned>(core::crc32c(core::as_bytes(body))));
  return buf;
}

result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_failure("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return core::success();
}

result<void> fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_failure("open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_failure("fsync directory", dir, err);
  return core::success();
}

}  // namespace

result<std::vector<checkpoint_entry>> checkpoint_file::read() const {
  const int fd = ::open(_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<checkpoint_entry>();
    return io_failure("open", _path, errno);
  }
  std::string text;
  char buf[4096];
  while (true) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_failure("read", _path, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (std::size_t{64} << 20)) {
      ::close(fd);
      return errc::corruption;  // no sane checkpoint is this large
    }
  }
  ::close(fd);

  std::string_view rest = text;
  std::string_view line;
  if (!next_line(rest, line)) return errc::corruption;
  const auto header = split_spaces(line);
  int file_version = 0;
  if (header.size() != 2 || header[0] != magic || !parse_number(header[1], file_version)) {
    return errc::corruption;
  }
  if (file_version != version) return errc::incompatible_store;
  std::size_t count = 0;
  if (!next_line(rest, line) || !parse_number(line, count)) return errc::corruption;
  std::vector<checkpoint_entry> entries;
  for (std::size_t i = 0; i < count; ++i) {
    if (!next_line(rest, line)) return errc::corruption;
    const auto f = split_spaces(line);
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    if (f.size() != 4 || !valid_name(f[0]) || !valid_name(f[1]) || !parse_number(f[2], partition) ||
        !parse_number(f[3], offset)) {
      return errc::corruption;
    }
    if (!entries.empty() && entries.back().store >= f[0]) return errc::corruption;
    entries.push_back({std::string(f[0]),
                       core::topic_partition{std::string(f[1]), core::partition_id(partition)},
                       core::offset(offset)});
  }
  const std::string_view body(text.data(), text.size() - rest.size());
  if (rest != crc_line(body)) return errc::corruption;
  return entries;
}

result<void> checkpoint_file::write(std::span<const checkpoint_entry> entries) const {
  std::vector<const checkpoint_entry*> sorted;
  for (const auto& e : entries) {
    if (!valid_name(e.store) || !valid_name(e.changelog.topic) ||
        e.changelog.partition.value() < 0 || e.offset.value() < 0) {
      return errc::invalid_argument;
    }
    sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->store < b->store; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1]->store == sorted[i]->store) return errc::invalid_argument;
  }

  std::string text = std::string(magic) + " " + std::to_string(version) + "\n";
  text += std::to_string(sorted.size()) + "\n";
  for (const auto* e : sorted) {
    text += e->store + " " + e->changelog.topic + " " +
            std::to_string(e->changelog.partition.value()) + " " +
            std::to_string(e->offset.value()) + "\n";
  }
  text += crc_line(text);

  auto tmp = _path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_failure("create", tmp, errno);
  auto written = write_all(fd, text, tmp);
  if (written && ::fsync(fd) != 0) written = io_failure("fsync", tmp, errno);
  if (::close(fd) != 0 && written) written = io_failure("close", tmp, errno);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), _path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_failure("rename", _path, err);
  }
  auto dir = _path.parent_path();
  return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

result<void> checkpoint_file::remove() const {
  if (::unlink(_path.c_str()) != 0 && errno != ENOENT) return io_failure("unlink", _path, errno);
  auto dir = _path.parent_path();
  return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace sluice::state
