#include "state/detail/engine.h"

#include "core/assert.h"
#include "state/detail/map_cursor.h"
#include "state/detail/merge.h"
#include "state/errc.h"

namespace sluice::state::detail {
namespace {

struct project_optional {
  std::optional<bytes_view> operator()(const std::optional<bytes>& v) const noexcept {
    if (!v) return std::nullopt;
    return bytes_view(*v);
  }
};

using overlay_map = std::map<bytes, std::optional<bytes>, key_less>;
using overlay_cursor = map_cursor<overlay_map, project_optional>;

}  // namespace

void engine_batch::put(const keyspace_ptr& ks, bytes_view key, bytes_view value) {
  if (_direct) {
    _direct->put(*ks, key, value);
  } else {
    _ops.push_back({ks, bytes(key.begin(), key.end()), bytes(value.begin(), value.end())});
  }
}

void engine_batch::remove(const keyspace_ptr& ks, bytes_view key) {
  if (_direct) {
    _direct->remove(*ks, key);
  } else {
    _ops.push_back({ks, bytes(key.begin(), key.end()), std::nullopt});
  }
}

void engine_batch::put_meta(std::string_view key, bytes_view value) {
  if (_direct) {
    _direct->put_meta(key, value);
  } else {
    _meta.emplace_back(std::string(key), bytes(value.begin(), value.end()));
  }
}

engine::engine(std::unique_ptr<backend> backend)
    : _backend(std::move(backend)), _persistent(_backend->persistent()) {}

engine::~engine() {
  SLUICE_ASSERT(_open_iterators == 0, "state store destroyed while iterators are open");
  if (_backend) {
    // Destruction without close(): best effort, errors have nowhere to go.
    (void)close();
  }
}

result<void> engine::check_open() const {
  if (!_backend) return errc::store_closed;
  return core::success();
}

std::vector<keyspace_ptr> engine::keyspaces() {
  if (!_backend) return {};
  return _backend->keyspaces();
}

result<keyspace_ptr> engine::open_keyspace(std::string_view name) {
  SLUICE_TRY(check_open());
  for (auto& ks : _backend->keyspaces()) {
    if (ks->name() == name) return ks;
  }
  return _backend->create_keyspace(std::string(name));
}

result<void> engine::drop_keyspace(const keyspace_ptr& ks) {
  SLUICE_TRY(check_open());
  SLUICE_ASSERT(!_pending, "keyspaces cannot be dropped inside a pending batch");
  return _backend->drop_keyspace(*ks);
}

engine::overlay_space& engine::overlay_for(const keyspace_ptr& ks) {
  auto it = _overlay.find(ks.get());
  if (it == _overlay.end()) {
    it =
        _overlay.emplace(ks.get(), overlay_space{ks, overlay_map(key_less{ks->layout()}), 0}).first;
  }
  return it->second;
}

void engine::overlay_set(const keyspace_ptr& ks, bytes_view key, std::optional<bytes_view> value) {
  auto& space = overlay_for(ks);
  auto it = space.entries.lower_bound(key);
  std::optional<bytes> v;
  if (value) v.emplace(value->begin(), value->end());
  if (it != space.entries.end() && compare_keys(ks->layout(), it->first, key) == 0) {
    it->second = std::move(v);
  } else {
    space.entries.emplace_hint(it, bytes(key.begin(), key.end()), std::move(v));
  }
}

result<std::optional<bytes>> engine::get(const keyspace_ptr& ks, bytes_view key) {
  SLUICE_TRY(check_open());
  if (_pending) {
    if (auto it = _overlay.find(ks.get()); it != _overlay.end()) {
      if (auto e = it->second.entries.find(key); e != it->second.entries.end()) return e->second;
    }
  }
  return _backend->get(*ks, key);
}

result<std::optional<bytes>> engine::get_meta(std::string_view key) {
  SLUICE_TRY(check_open());
  if (_pending) {
    if (auto it = _overlay_meta.find(key); it != _overlay_meta.end()) return it->second;
  }
  return _backend->get_meta(key);
}

result<std::unique_ptr<iterator_source>> engine::scan_source(const keyspace_ptr& ks,
                                                             scan_bounds bounds,
                                                             iteration_order order) {
  SLUICE_TRY(check_open());
  const overlay_space* space = nullptr;
  if (_pending) {
    if (auto it = _overlay.find(ks.get()); it != _overlay.end() && !it->second.entries.empty()) {
      space = &it->second;
    }
  }
  if (!space) return _backend->scan(ks, std::move(bounds), order, iterator_guard(&_open_iterators));
  SLUICE_TRY(auto base, _backend->scan(ks, bounds, order, iterator_guard(&_open_iterators)));
  auto overlay = std::make_unique<cursor_overlay<overlay_cursor>>(overlay_cursor(
      space->entries, space->erase_generation, project_optional{}, std::move(bounds), order));
  return overlay_sources(std::move(overlay), std::move(base), ks->layout(), order);
}

result<key_value_iterator> engine::scan(const keyspace_ptr& ks, scan_bounds bounds,
                                        iteration_order order) {
  SLUICE_TRY(auto source, scan_source(ks, std::move(bounds), order));
  return key_value_iterator(std::move(source));
}

result<std::uint64_t> engine::approximate_count(const keyspace_ptr& ks) {
  SLUICE_TRY(check_open());
  return _backend->approximate_count(*ks);
}

result<void> engine::put(const keyspace_ptr& ks, bytes_view key, bytes_view value) {
  SLUICE_TRY(check_open());
  if (_pending) {
    overlay_set(ks, key, value);
    return core::success();
  }
  return _backend->put(*ks, key, value);
}

result<void> engine::remove(const keyspace_ptr& ks, bytes_view key) {
  SLUICE_TRY(check_open());
  if (_pending) {
    overlay_set(ks, key, std::nullopt);
    return core::success();
  }
  return _backend->remove(*ks, key);
}

engine_batch engine::new_batch() {
  engine_batch batch;
  if (_backend && !_pending) batch._direct = _backend->new_batch();
  return batch;
}

result<void> engine::write(engine_batch&& batch) {
  SLUICE_TRY(check_open());
  if (batch._direct) {
    SLUICE_ASSERT(!_pending, "a direct batch was written inside a pending batch");
    return _backend->write(*batch._direct);
  }
  SLUICE_ASSERT(_pending, "a pending-mode batch was written outside a pending batch");
  for (auto& op : batch._ops) {
    if (op.value) {
      overlay_set(op.ks, op.key, bytes_view(*op.value));
    } else {
      overlay_set(op.ks, op.key, std::nullopt);
    }
  }
  for (auto& [k, v] : batch._meta) _overlay_meta[k] = std::move(v);
  return core::success();
}

result<void> engine::begin() {
  SLUICE_TRY(check_open());
  if (_pending) return errc::invalid_state;
  _pending = true;
  return core::success();
}

result<void> engine::commit(std::span<const meta_write> meta) {
  SLUICE_TRY(check_open());
  SLUICE_ASSERT(_open_iterators == 0, "commit_batch() while iterators are open");
  auto batch = _backend->new_batch();
  if (_pending) {
    for (auto& [ks, space] : _overlay) {
      for (auto& [k, v] : space.entries) {
        if (v) {
          batch->put(*space.ks, k, *v);
        } else {
          batch->remove(*space.ks, k);
        }
      }
    }
    for (auto& [k, v] : _overlay_meta) batch->put_meta(k, v);
  }
  for (const auto& m : meta) batch->put_meta(m.key, m.value);
  SLUICE_TRY(_backend->write(*batch));
  _overlay.clear();
  _overlay_meta.clear();
  _pending = false;
  return _backend->commit_barrier();
}

result<void> engine::abort() {
  SLUICE_TRY(check_open());
  SLUICE_ASSERT(_open_iterators == 0, "abort_batch() while iterators are open");
  if (!_pending) return errc::invalid_state;
  _overlay.clear();
  _overlay_meta.clear();
  _pending = false;
  return core::success();
}

result<void> engine::flush() {
  SLUICE_TRY(check_open());
  return _backend->flush();
}

result<void> engine::close() {
  SLUICE_TRY(check_open());
  SLUICE_ASSERT(_open_iterators == 0, "close() while iterators are open");
  _overlay.clear();
  _overlay_meta.clear();
  _pending = false;
  auto backend = std::move(_backend);
  return backend->close();
}

}  // namespace sluice::state::detail
