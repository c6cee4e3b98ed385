#include "broker/storage/cleaner_checkpoint.h"

#include "broker/storage/file.h"
#include "core/bytes.h"

#include <sstream>
#include <string>

namespace sluice::broker::storage {
namespace {

constexpr const char* checkpoint_name = "cleaner-offset-checkpoint";

}  // namespace

cleaner_checkpoint read_cleaner_checkpoint(const std::filesystem::path& dir) {
  cleaner_checkpoint cp;
  auto data = read_whole_file(dir / checkpoint_name);
  if (!data) return cp;
  std::istringstream in(core::to_string(data.value()));
  int version = -1;
  cleaner_checkpoint read;
  if (in >> version >> read.first_dirty >> read.tombstone_deadline_ms && version == 0) return read;
  return cp;
}

result<void> write_cleaner_checkpoint(const std::filesystem::path& dir, const cleaner_checkpoint& cp) {
  std::string text = "0\n" + std::to_string(cp.first_dirty) + " " +
                     std::to_string(cp.tombstone_deadline_ms) + "\n";
  return write_file_atomically(dir / checkpoint_name, core::as_bytes(text));
}

}  // namespace sluice::broker::storage
