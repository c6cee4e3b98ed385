#include "core/temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

namespace sluice::core {

temp_dir::temp_dir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  const std::filesystem::path parent = base != nullptr && *base != 0
                                           ? std::filesystem::path(base)
                                           : std::filesystem::temp_directory_path();
  std::string pattern = (parent / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot create a directory like " + pattern);
  }
  _path = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(_path, ignored);
}

}  // namespace sluice::core
