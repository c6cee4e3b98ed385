#pragma once
/// The files of the cleaner's swap protocol (log_cleaner.h): segment and swap file names,
/// renames — and `recover_interrupted_clean`
/// (declared in log_cleaner.h), which finishes or undoes a swap a crash interrupted.
/// Internal to the storage module.

#include "core/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace sluice::broker::storage {

/// `<dir>/<20-digit base><ext>`.
std::filesystem::path segment_path(const std::filesystem::path& dir, int64_t base, const char* ext);
/// `<dir>/<B>-<E>.swap`: a committed swap of the segments with bases in [B, E).
std::filesystem::path swap_path(const std::filesystem::path& dir, int64_t base, int64_t next_base);
/// The offset of a 20-digit file stem, or nullopt.
std::optional<int64_t> parse_stem_offset(std::string_view s);
result<void> rename_file(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace sluice::broker::storage
