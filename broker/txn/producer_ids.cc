#include "broker/txn/producer_ids.h"

#include "broker/storage/file.h"
#include "broker/txn/errc.h"
#include "core/log.h"

#include <charconv>
#include <string>
#include <string_view>

namespace sluice::broker::txn {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.txn");
  return instance;
}

constexpr std::string_view next_key = "next.block=";

}  // namespace

result<std::unique_ptr<producer_id_allocator>> producer_id_allocator::open(std::filesystem::path file,
                                                                           int64_t block_size) {
  std::unique_ptr<producer_id_allocator> a(new producer_id_allocator(std::move(file), block_size));
  auto content = storage::read_whole_file(a->_file);
  if (content) {
    std::string_view text(reinterpret_cast<const char*>(content.value().data()), content.value().size());
    auto at = text.find(next_key);
    if (text.rfind("version=1\n", 0) != 0 || at == std::string_view::npos) {
      log().error("{}: unreadable producer-id block file", a->_file.string());
      return errc::corrupt_log;
    }
    auto digits = text.substr(at + next_key.size());
    int64_t value = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || value < 0 || end == digits.data() + digits.size() || *end != '\n') {
      log().error("{}: unreadable producer-id block file", a->_file.string());
      return errc::corrupt_log;
    }
    a->_next = a->_limit = value;
  } else if (content.error() != std::errc::no_such_file_or_directory) {
    return content.error();
  }
  SLUICE_TRY(a->reserve_block());
  return a;
}

result<void> producer_id_allocator::reserve_block() {
  const int64_t limit = _next + _block_size;
  std::string text = "version=1\n" + std::string(next_key) + std::to_string(limit) + "\n";
  if (auto r = storage::write_file_atomically(_file, core::as_bytes(text)); !r) {
    log().error("{}: cannot reserve producer ids: {}", _file.string(), r.error().message());
    return errc::producer_ids_exhausted;
  }
  _limit = limit;
  return core::success();
}

result<core::producer_id> producer_id_allocator::next() {
  std::lock_guard lock(_mutex);
  if (_next >= _limit) SLUICE_TRY(reserve_block());
  return core::producer_id{_next++};
}

}  // namespace sluice::broker::txn
