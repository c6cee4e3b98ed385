#include "state/detail/memory_backend.h"

#include "state/detail/map_cursor.h"
#include "state/errc.h"

#include <map>

namespace sluice::state::detail {
namespace {

using value_map = std::map<bytes, bytes, key_less>;

class memory_keyspace final : public keyspace {
 public:
  explicit memory_keyspace(std::string name)
      : keyspace(std::move(name)), entries(key_less{layout()}) {}

  void set(bytes_view key, bytes_view value) {
    auto it = entries.lower_bound(key);
    if (it != entries.end() && compare_keys(layout(), it->first, key) == 0) {
      it->second.assign(value.begin(), value.end());
    } else {
      entries.emplace_hint(it, bytes(key.begin(), key.end()), bytes(value.begin(), value.end()));
    }
  }
  void erase(bytes_view key) {
    if (auto it = entries.find(key); it != entries.end()) {
      entries.erase(it);
      ++erase_generation;
    }
  }

  value_map entries;
  std::uint64_t erase_generation = 0;
};

struct project_value {
  std::optional<bytes_view> operator()(const bytes& v) const noexcept { return bytes_view(v); }
};

class memory_source final : public iterator_source {
 public:
  memory_source(std::shared_ptr<memory_keyspace> ks, scan_bounds bounds, iteration_order order,
                iterator_guard guard)
      : _ks(std::move(ks)),
        _cursor(_ks->entries, _ks->erase_generation, project_value{}, std::move(bounds), order),
        _guard(std::move(guard)) {}

  bool valid() const noexcept override { return _cursor.valid(); }
  bytes_view key() const noexcept override { return _cursor.key(); }
  bytes_view value() const noexcept override { return *_cursor.value(); }
  void next() override { _cursor.next(); }
  std::error_code status() const noexcept override { return {}; }

 private:
  std::shared_ptr<memory_keyspace> _ks;  // keeps a dropped keyspace alive while we read it
  map_cursor<value_map, project_value> _cursor;
  iterator_guard _guard;
};

class memory_batch final : public backend_batch {
 public:
  struct op {
    memory_keyspace* ks;  // nullptr: metadata
    bytes key;
    std::optional<bytes> value;
  };
  void put(keyspace& ks, bytes_view key, bytes_view value) override {
    ops.push_back({&static_cast<memory_keyspace&>(ks), bytes(key.begin(), key.end()),
                   bytes(value.begin(), value.end())});
  }
  void remove(keyspace& ks, bytes_view key) override {
    ops.push_back(
        {&static_cast<memory_keyspace&>(ks), bytes(key.begin(), key.end()), std::nullopt});
  }
  void put_meta(std::string_view key, bytes_view value) override {
    ops.push_back({nullptr, core::to_bytes(key), bytes(value.begin(), value.end())});
  }
  std::vector<op> ops;
};

class memory_backend final : public backend {
 public:
  bool persistent() const noexcept override { return false; }

  std::vector<keyspace_ptr> keyspaces() override {
    std::vector<keyspace_ptr> out;
    out.reserve(_spaces.size());
    for (auto& [name, ks] : _spaces) out.push_back(ks);
    return out;
  }

  result<keyspace_ptr> create_keyspace(std::string name) override {
    if (_spaces.contains(name)) return errc::invalid_argument;
    auto ks = std::make_shared<memory_keyspace>(name);
    _spaces.emplace(std::move(name), ks);
    return keyspace_ptr(ks);
  }

  result<void> drop_keyspace(keyspace& ks) override {
    if (_spaces.erase(ks.name()) == 0) return errc::invalid_argument;
    return core::success();
  }

  result<std::optional<bytes>> get(keyspace& ks, bytes_view key) override {
    auto& m = static_cast<memory_keyspace&>(ks).entries;
    if (auto it = m.find(key); it != m.end()) return std::optional<bytes>(it->second);
    return std::optional<bytes>();
  }

  result<std::optional<bytes>> get_meta(std::string_view key) override {
    if (auto it = _meta.find(key); it != _meta.end()) return std::optional<bytes>(it->second);
    return std::optional<bytes>();
  }

  result<std::unique_ptr<iterator_source>> scan(const keyspace_ptr& ks, scan_bounds bounds,
                                                iteration_order order,
                                                iterator_guard guard) override {
    return std::unique_ptr<iterator_source>(std::make_unique<memory_source>(
        std::static_pointer_cast<memory_keyspace>(ks), std::move(bounds), order, std::move(guard)));
  }

  result<std::uint64_t> approximate_count(keyspace& ks) override {
    return static_cast<std::uint64_t>(static_cast<memory_keyspace&>(ks).entries.size());
  }

  result<void> put(keyspace& ks, bytes_view key, bytes_view value) override {
    static_cast<memory_keyspace&>(ks).set(key, value);
    return core::success();
  }

  result<void> remove(keyspace& ks, bytes_view key) override {
    static_cast<memory_keyspace&>(ks).erase(key);
    return core::success();
  }

  std::unique_ptr<backend_batch> new_batch() override { return std::make_unique<memory_batch>(); }

  result<void> write(backend_batch& batch) override {
    for (auto& op : static_cast<memory_batch&>(batch).ops) {
      if (!op.ks) {
        _meta[std::string(core::as_string_view(op.key))] = std::move(*op.value);
      } else if (op.value) {
        op.ks->set(op.key, *op.value);
      } else {
        op.ks->erase(op.key);
      }
    }
    return core::success();
  }

  result<void> commit_barrier() override { return core::success(); }
  result<void> flush() override { return core::success(); }
  result<void> close() override {
    _spaces.clear();
    _meta.clear();
    return core::success();
  }

 private:
  std::map<std::string, std::shared_ptr<memory_keyspace>, std::less<>> _spaces;
  std::map<std::string, bytes, std::less<>> _meta;
};

}  // namespace

std::unique_ptr<backend> make_memory_backend() {
  return std::make_unique<memory_backend>();
}

}  // namespace sluice::state::detail
