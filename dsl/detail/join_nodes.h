#pragma once
/// The join nodes (internal: included by dsl/joins.h): the two sides of a stream-stream join
/// (window buffers, and the shared outer buffer of left/outer joins) and the stream-table join.

#include "core/bytes.h"
#include "core/serde.h"
#include "core/time.h"
#include "dsl/detail/table_nodes.h"
#include "dsl/detail/task.h"
#include "dsl/detail/typed.h"
#include "state/changelog_format.h"
#include "state/key_value_store.h"
#include "state/window_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

namespace sluice::dsl {

namespace detail {

/// Time parameters of one side of a stream-stream join, seen from that side.
struct join_side_times {
  millis lookback{0};   ///< other records this far before a record join it
  millis lookahead{0};  ///< ... and this far after
  millis span{0};       ///< before + after + grace: when an unmatched record is final
  millis grace{0};
};

/// Erased helpers of the outer buffer: key = [ts: 8 BE][side: 1][seqnum: 4 BE][record key].
bytes outer_buffer_key(timestamp ts, bool left_side, uint32_t seqnum, bytes_view key);
struct outer_buffer_entry {
  timestamp ts;
  bool left_side;
  bytes_view key;
};
outer_buffer_entry parse_outer_buffer_key(bytes_view k);

template <class K, class VL, class VR, class VJ, bool Left>
class stream_join_node final : public processor_node {
  using self_value = std::conditional_t<Left, VL, VR>;
  using other_value = std::conditional_t<Left, VR, VL>;

 public:
  struct config {
    std::string this_store, other_store, outer_store;  // outer_store empty for inner joins
    join_side_times times;
    bool track_self = false;   // unmatched records of this side are emitted
    bool track_other = false;  // unmatched records of the other side are emitted
    core::serde<K> k;
    core::serde<VL> vl;
    core::serde<VR> vr;
    std::function<VJ(const VL*, const VR*)> joiner;
  };
  explicit stream_join_node(config c) : _c(std::move(c)) {}

  void init() override {
    _this = &context().template store<state::window_store>(*this, _c.this_store);
    _other = &context().template store<state::window_store>(*this, _c.other_store);
    if (!_c.outer_store.empty())
      _outer = &context().template store<state::key_value_store>(*this, _c.outer_store);
  }

  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r, true)) return;
    const timestamp now = context().stream_time();
    if (r.ts + _c.times.lookahead + _c.times.grace < now) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    if (_outer != nullptr) emit_expired(now);
    const K& key = *static_cast<const K*>(r.key);
    const auto& value = *static_cast<const self_value*>(r.value);
    const bytes kb = encode(_c.k, key, *this);
    const bytes vb = encode(self_serde(), value, *this);
    const auto put = must(_this->put(kb, vb, r.ts, r.ts), *this, _c.this_store, "put");
    if (!put.stored) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    const timestamp from = core::later(core::from_epoch_ms(0), r.ts - _c.times.lookback);
    std::vector<bytes> matched_outer;
    bool matched = false;
    {
      auto it =
          must(_other->fetch(kb, from, r.ts + _c.times.lookahead), *this, _c.other_store, "fetch");
      for (; it.valid(); it.next()) {
        matched = true;
        const other_value o = decode(other_serde(), it.value(), *this);
        const timestamp ts = core::later(r.ts, it.window_start());
        VJ out = [&] {
          if constexpr (Left) {
            return _c.joiner(&value, &o);
          } else {
            return _c.joiner(&o, &value);
          }
        }();
        forward(erased_record{r.key, &out, ts, r.hdrs});
        if (_c.track_other) {
          const auto parts = state::decode_window_key(it.encoded_key());
          if (parts)
            matched_outer.push_back(
                outer_buffer_key(parts->window_start, !Left, parts->seqnum, kb));
        }
      }
      must(it.status(), *this, _c.other_store, "fetch");
    }
    for (const auto& ok : matched_outer) must(_outer->remove(ok, r.ts), *this, _c.outer_store, "remove");
    if (!matched && _c.track_self) {
      must(_outer->put(outer_buffer_key(r.ts, Left, put.seqnum, kb), vb, r.ts), *this, _c.outer_store,
           "put");
    }
  }

 private:
  const core::serde<self_value>& self_serde() const {
    if constexpr (Left)
      return _c.vl;
    else
      return _c.vr;
  }
  const core::serde<other_value>& other_serde() const {
    if constexpr (Left)
      return _c.vr;
    else
      return _c.vl;
  }

  /// Emits, oldest first, the buffered unmatched records that can no longer find a partner.
  void emit_expired(timestamp now) {
    std::vector<state::key_value> due;
    {
      auto it = must(_outer->all(), *this, _c.outer_store, "all");
      for (; it.valid(); it.next()) {
        const auto e = parse_outer_buffer_key(it.key());
        if (!(now > e.ts + _c.times.span)) break;
        due.push_back(
            {bytes(it.key().begin(), it.key().end()), bytes(it.value().begin(), it.value().end())});
      }
      must(it.status(), *this, _c.outer_store, "all");
    }
    static const core::headers no_headers;
    for (const auto& d : due) {
      must(_outer->remove(d.key, now), *this, _c.outer_store, "remove");
      const auto e = parse_outer_buffer_key(d.key);
      const K key = decode(_c.k, e.key, *this);
      if (e.left_side) {
        const VL l = decode(_c.vl, d.value, *this);
        VJ out = _c.joiner(&l, nullptr);
        forward(erased_record{&key, &out, e.ts, &no_headers});
      } else {
        const VR rv = decode(_c.vr, d.value, *this);
        VJ out = _c.joiner(nullptr, &rv);
        forward(erased_record{&key, &out, e.ts, &no_headers});
      }
    }
  }

  config _c;
  state::window_store* _this = nullptr;
  state::window_store* _other = nullptr;
  state::key_value_store* _outer = nullptr;
};

template <class K, class V, class VT, class VR>
class stream_table_join_node final : public processor_node {
 public:
  stream_table_join_node(getter_ptr<K, VT> getter, std::function<VR(const V&, const VT*)> joiner,
                         bool left)
      : _getter(std::move(getter)), _joiner(std::move(joiner)), _left(left) {}
  void init() override { _lookup = _getter->make(*this); }
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r, true)) return;
    const auto t = _lookup(*static_cast<const K*>(r.key));
    if (!t && !_left) return;
    VR out = _joiner(*static_cast<const V*>(r.value), t ? &*t : nullptr);
    forward(with_kv(r, r.key, &out));
  }

 private:
  getter_ptr<K, VT> _getter;
  std::function<std::optional<VT>(const K&)> _lookup;
  std::function<VR(const V&, const VT*)> _joiner;
  bool _left;
};

}  // namespace detail

}  // namespace sluice::dsl
