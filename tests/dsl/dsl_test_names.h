#pragma once
// The names the DSL tests share: time literals, core's time and serde helpers, and the
// key/value list types their expectations are written in.

#include "core/bytes.h"
#include "core/serde.h"
#include "core/time.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::dsl {

using namespace std::chrono_literals;
using core::from_epoch_ms;
using core::to_bytes;
namespace serdes = core::serdes;
using str_kv = std::pair<std::string, std::string>;
using str_kvs = std::vector<str_kv>;
using count_kv = std::pair<std::string, int64_t>;
using count_kvs = std::vector<count_kv>;
using strings = std::vector<std::string>;

}  // namespace sluice::dsl
