#include "dsl/detail/store_builder.h"

#include "state/caching_key_value_store.h"
#include "state/caching_window_store.h"
#include "state/changelogging_key_value_store.h"
#include "state/changelogging_session_store.h"
#include "state/changelogging_window_store.h"
#include "state/stores.h"

#include <algorithm>

namespace sluice::dsl::detail {
namespace {

template <class Store>
std::unique_ptr<state::state_store> erase(std::unique_ptr<Store> s) {
  return std::unique_ptr<state::state_store>(std::move(s));
}

}  // namespace

core::millis segment_interval_for(core::millis retention) noexcept {
  return std::max(retention / 2, core::millis{60000});
}

result<std::unique_ptr<state::state_store>> build_store(const store_spec& spec,
                                                        const store_layers& layers) {
  const auto retention = std::max(spec.retention, core::millis{1});
  switch (spec.kind) {
    case store_kind::key_value: {
      std::unique_ptr<state::key_value_store> s;
      if (layers.persistent) {
        SLUICE_TRY(auto opened, state::open_rocksdb_key_value_store(spec.name, layers.task_dir, *layers.rocksdb,
                                                          layers.rocksdb_options));
        s = std::move(opened);
      } else {
        s = state::make_in_memory_key_value_store(spec.name);
      }
      if (layers.changelog != nullptr) {
        s = std::make_unique<state::changelogging_key_value_store>(std::move(s), *layers.changelog);
      }
      if (layers.cache != nullptr) {
        s = std::make_unique<state::caching_key_value_store>(std::move(s), *layers.cache);
      }
      return erase(std::move(s));
    }
    case store_kind::window: {
      state::window_store_options options;
      options.retention = retention;
      options.segment_interval = segment_interval_for(retention);
      options.retain_duplicates = spec.retain_duplicates;
      std::unique_ptr<state::window_store> s;
      if (layers.persistent) {
        SLUICE_TRY(auto opened, state::open_rocksdb_window_store(spec.name, layers.task_dir, options,
                                                       *layers.rocksdb, layers.rocksdb_options));
        s = std::move(opened);
      } else {
        s = state::make_in_memory_window_store(spec.name, options);
      }
      if (layers.changelog != nullptr) {
        s = std::make_unique<state::changelogging_window_store>(std::move(s), *layers.changelog);
      }
      // A cache folds updates of one key; duplicates must all reach the store.
      if (layers.cache != nullptr && !spec.retain_duplicates) {
        s = std::make_unique<state::caching_window_store>(std::move(s), *layers.cache);
      }
      return erase(std::move(s));
    }
    case store_kind::session: {
      state::session_store_options options;
      options.retention = retention;
      options.segment_interval = segment_interval_for(retention);
      std::unique_ptr<state::session_store> s;
      if (layers.persistent) {
        SLUICE_TRY(auto opened, state::open_rocksdb_session_store(spec.name, layers.task_dir, options,
                                                        *layers.rocksdb, layers.rocksdb_options));
        s = std::move(opened);
      } else {
        s = state::make_in_memory_session_store(spec.name, options);
      }
      if (layers.changelog != nullptr) {
        s = std::make_unique<state::changelogging_session_store>(std::move(s), *layers.changelog);
      }
      return erase(std::move(s));
    }
  }
  return core::failure(std::make_error_code(std::errc::invalid_argument));
}

}  // namespace sluice::dsl::detail
