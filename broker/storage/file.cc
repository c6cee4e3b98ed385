#include "broker/storage/file.h"

#include "broker/storage/errc.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace sluice::broker::storage {
namespace {

std::error_code last_errno() { return {errno, std::generic_category()}; }

class storage_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.broker.storage"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::io_error: return "I/O error";
      case errc::corrupt_batch: return "corrupt record batch";
      case errc::invalid_batch: return "invalid record batch";
      case errc::message_too_large: return "record batch larger than message.max.bytes";
      case errc::offset_out_of_range: return "offset out of range";
      case errc::unknown_partition: return "unknown topic or partition";
      case errc::topic_exists: return "topic already exists";
      case errc::invalid_topic: return "invalid topic name";
      case errc::invalid_partitions: return "invalid partition count";
      case errc::invalid_record: return "record without a key in a compacted topic";
      case errc::invalid_producer_epoch: return "producer epoch older than the partition's";
      case errc::out_of_order_sequence: return "producer sequence number out of order";
      case errc::invalid_timestamp: return "record timestamp out of the topic's bounds, or LogAppendTime set by a producer";
    }
    return "unknown storage error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& storage_category() noexcept {
  static const storage_category_impl instance;
  return instance;
}

file::~file() { close(); }

file::file(file&& other) noexcept : _fd(other._fd), _path(std::move(other._path)) { other._fd = -1; }

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    close();
    _fd = other._fd;
    _path = std::move(other._path);
    other._fd = -1;
  }
  return *this;
}

result<file> file::open(const std::filesystem::path& path, mode m) {
  int flags = O_CLOEXEC | (m == mode::read_only ? O_RDONLY : (O_RDWR | O_CREAT));
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return last_errno();
  file f;
  f._fd = fd;
  f._path = path;
  return f;
}

result<uint64_t> file::size() const {
  struct stat st {};
  if (::fstat(_fd, &st) != 0) return last_errno();
  return static_cast<uint64_t>(st.st_size);
}

result<size_t> file::pread(uint64_t position, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(_fd, out.data() + done, out.size() - done,
                        static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

result<void> file::pwrite(uint64_t position, bytes_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(_fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    done += static_cast<size_t>(n);
  }
  return core::success();
}

result<void> file::pwrite2(uint64_t position, bytes_view a, bytes_view b) {
  iovec iov[2] = {{const_cast<std::byte*>(a.data()), a.size()},
                  {const_cast<std::byte*>(b.data()), b.size()}};
  ssize_t n;
  do {
    n = ::pwritev(_fd, iov, 2, static_cast<off_t>(position));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  auto written = static_cast<size_t>(n);
  if (written == a.size() + b.size()) return core::success();
  // Short write: finish the remainder piece by piece.
  if (written < a.size()) {
    SLUICE_TRY(pwrite(position + written, a.subspan(written)));
    return pwrite(position + a.size(), b);
  }
  return pwrite(position + written, b.subspan(written - a.size()));
}

result<void> file::truncate(uint64_t size) {
  if (::ftruncate(_fd, static_cast<off_t>(size)) != 0) return last_errno();
  return core::success();
}

result<void> file::sync() {
  if (::fdatasync(_fd) != 0) return last_errno();
  return core::success();
}

void file::close() noexcept {
  if (_fd >= 0) {
    ::close(_fd);
    _fd = -1;
  }
}

result<void> sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return std::error_code(saved, std::generic_category());
  return core::success();
}

result<void> write_file_atomically(const std::filesystem::path& path, bytes_view data) {
  auto tmp = path;
  tmp += ".tmp";
  {
    SLUICE_TRY(auto f, file::open(tmp));
    SLUICE_TRY(f.truncate(0));
    SLUICE_TRY(f.pwrite(0, data));
    SLUICE_TRY(f.sync());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return ec;
  return sync_directory(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

result<bytes> read_whole_file(const std::filesystem::path& path) {
  SLUICE_TRY(auto f, file::open(path, file::mode::read_only));
  SLUICE_TRY(auto n, f.size());
  bytes out(n);
  SLUICE_TRY(auto got, f.pread(0, out));
  out.resize(got);
  return out;
}

int64_t mtime_ms(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

result<void> set_mtime_ms(const std::filesystem::path& p, int64_t ms) {
  timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = ms / 1000;
  times[1].tv_nsec = (ms % 1000) * 1000000;
  if (::utimensat(AT_FDCWD, p.c_str(), times, 0) != 0) return std::error_code(errno, std::generic_category());
  return core::success();
}

}  // namespace sluice::broker::storage
