#pragma once
/// `temp_dir`: a fresh private directory (mode 0700, made with mkdtemp) under $TMPDIR or the
/// system's temporary directory, removed with everything in it when the object goes. Used by
/// the topology test driver for persistent stores, and by the tests and benches.

#include <filesystem>
#include <string_view>

namespace sluice::core {

class temp_dir {
 public:
  /// The directory is named `<prefix>-XXXXXX`. Throws std::system_error if it cannot be made.
  explicit temp_dir(std::string_view prefix = "sluice");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return _path; }

 private:
  std::filesystem::path _path;
};

}  // namespace sluice::core
