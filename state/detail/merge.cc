#include "state/detail/merge.h"

#include <algorithm>

namespace sluice::state::detail {
namespace {

class empty final : public iterator_source {
 public:
  bool valid() const noexcept override { return false; }
  bytes_view key() const noexcept override { return {}; }
  bytes_view value() const noexcept override { return {}; }
  void next() override {}
  std::error_code status() const noexcept override { return {}; }
};

class merging final : public iterator_source {
 public:
  merging(std::vector<std::unique_ptr<iterator_source>> children, key_layout layout,
          iteration_order order)
      : _children(std::move(children)), _layout(layout), _order(order) {
    for (std::size_t i = 0; i < _children.size(); ++i) {
      if (!admit(i)) return;
    }
    std::make_heap(_heap.begin(), _heap.end(), heap_less{this});
  }

  bool valid() const noexcept override { return !_error && !_heap.empty(); }
  bytes_view key() const noexcept override { return _children[_heap.front()]->key(); }
  bytes_view value() const noexcept override { return _children[_heap.front()]->value(); }
  std::error_code status() const noexcept override { return _error; }

  void next() override {
    std::pop_heap(_heap.begin(), _heap.end(), heap_less{this});
    const std::size_t i = _heap.back();
    _heap.pop_back();
    _children[i]->next();
    if (!admit(i)) return;
    if (_children[i]->valid()) std::push_heap(_heap.begin(), _heap.end(), heap_less{this});
  }

 private:
  // std heaps put the *largest* element first, so "less" means "comes later".
  struct heap_less {
    const merging* self;
    bool operator()(std::size_t a, std::size_t b) const noexcept {
      const int c =
          compare_keys(self->_layout, self->_children[a]->key(), self->_children[b]->key());
      return self->_order == iteration_order::forward ? c > 0 : c < 0;
    }
  };

  /// Records child i in the heap if valid; false if it failed (the merge then fails).
  bool admit(std::size_t i) {
    if (_children[i]->valid()) {
      _heap.push_back(i);
      return true;
    }
    if (auto ec = _children[i]->status()) {
      _error = ec;
      _heap.clear();
      return false;
    }
    return true;
  }

  std::vector<std::unique_ptr<iterator_source>> _children;
  std::vector<std::size_t> _heap;
  key_layout _layout;
  iteration_order _order;
  std::error_code _error;
};

class overlaid final : public iterator_source {
 public:
  overlaid(std::unique_ptr<overlay_source> overlay, std::unique_ptr<iterator_source> base,
           key_layout layout, iteration_order order)
      : _overlay(std::move(overlay)), _base(std::move(base)), _layout(layout), _order(order) {
    settle();
  }

  bool valid() const noexcept override { return _current != side::none; }
  bytes_view key() const noexcept override {
    return _current == side::overlay ? _overlay->key() : _base->key();
  }
  bytes_view value() const noexcept override {
    return _current == side::overlay ? *_overlay->value() : _base->value();
  }
  std::error_code status() const noexcept override { return _base->status(); }

  void next() override {
    if (_current == side::overlay) {
      _overlay->next();
    } else if (_current == side::base) {
      _base->next();
    }
    settle();
  }

 private:
  enum class side { none, overlay, base };

  /// Ordering in the iteration direction: negative if a comes first.
  int directed(bytes_view a, bytes_view b) const noexcept {
    const int c = compare_keys(_layout, a, b);
    return _order == iteration_order::forward ? c : -c;
  }

  void settle() {
    for (;;) {
      const bool base_ok = _base->valid();
      if (!base_ok && _base->status()) {
        _current = side::none;
        return;
      }
      const bool over_ok = _overlay->valid();
      if (!over_ok && !base_ok) {
        _current = side::none;
        return;
      }
      if (over_ok && base_ok) {
        const int c = directed(_overlay->key(), _base->key());
        if (c == 0) {
          _base->next();  // shadowed by the overlay entry
          continue;
        }
        if (c > 0) {
          _current = side::base;
          return;
        }
      } else if (!over_ok) {
        _current = side::base;
        return;
      }
      if (!_overlay->value()) {
        _overlay->next();  // tombstone: hides the (already skipped) base entry
        continue;
      }
      _current = side::overlay;
      return;
    }
  }

  std::unique_ptr<overlay_source> _overlay;
  std::unique_ptr<iterator_source> _base;
  key_layout _layout;
  iteration_order _order;
  side _current = side::none;
};

class filtered final : public iterator_source {
 public:
  filtered(std::unique_ptr<iterator_source> inner, std::function<bool(bytes_view)> keep)
      : _inner(std::move(inner)), _keep(std::move(keep)) {
    skip();
  }
  bool valid() const noexcept override { return _inner->valid(); }
  bytes_view key() const noexcept override { return _inner->key(); }
  bytes_view value() const noexcept override { return _inner->value(); }
  std::error_code status() const noexcept override { return _inner->status(); }
  void next() override {
    _inner->next();
    skip();
  }

 private:
  void skip() {
    while (_inner->valid() && !_keep(_inner->key())) _inner->next();
  }
  std::unique_ptr<iterator_source> _inner;
  std::function<bool(bytes_view)> _keep;
};

}  // namespace

std::unique_ptr<iterator_source> merge_sources(
    std::vector<std::unique_ptr<iterator_source>> children, key_layout layout,
    iteration_order order) {
  if (children.empty()) return empty_source();
  if (children.size() == 1) return std::move(children.front());
  return std::make_unique<merging>(std::move(children), layout, order);
}

std::unique_ptr<iterator_source> overlay_sources(std::unique_ptr<overlay_source> overlay,
                                                 std::unique_ptr<iterator_source> base,
                                                 key_layout layout, iteration_order order) {
  return std::make_unique<overlaid>(std::move(overlay), std::move(base), layout, order);
}

std::unique_ptr<iterator_source> filter_source(std::unique_ptr<iterator_source> inner,
                                               std::function<bool(bytes_view key)> keep) {
  return std::make_unique<filtered>(std::move(inner), std::move(keep));
}

std::unique_ptr<iterator_source> empty_source() {
  return std::make_unique<empty>();
}

}  // namespace sluice::state::detail
