#pragma once
/// The typed source and sink nodes: where bytes become typed objects and back.

#include "core/serde.h"
#include "dsl/parameters.h"
#include "dsl/detail/record_collector.h"
#include "dsl/detail/task.h"
#include "dsl/timestamp_extractor.h"
#include "dsl/topology_error.h"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sluice::dsl::detail {

template <class K, class V>
class typed_source final : public source_node {
 public:
  typed_source(std::span<const std::string> topics, core::serde<K> k, core::serde<V> v,
               timestamp_extractor<K, V> extractor)
      : _topics(topics.begin(), topics.end()),
        _k(std::move(k)),
        _v(std::move(v)),
        _extractor(std::move(extractor)) {}

  const std::vector<std::string>& topics() const noexcept override { return _topics; }

  result<void> prepare(pending_record& p) override {
    switch (_extractor.kind()) {
      case extractor_kind::record_time:
        return core::success();
      case extractor_kind::wall_clock:
        p.rec.ts = context().wall_clock_time();
        return core::success();
      case extractor_kind::function:
        break;
    }
    if (p.rec.key) {
      SLUICE_TRY(K key, _k.deserialize(*p.rec.key));
      p.key = erased_box::make<K>(std::move(key));
    }
    p.key_ready = true;
    if (p.rec.value) {
      SLUICE_TRY(V value, _v.deserialize(*p.rec.value));
      p.value = erased_box::make<V>(std::move(value));
    }
    p.value_ready = true;
    p.rec.ts = _extractor.function()(deref<K>(p.key.get()), deref<V>(p.value.get()), p.rec.ts);
    return core::success();
  }

  result<void> deliver(pending_record& p) override {
    // The decoded key and value live in the results they were decoded into: no moves.
    if (!p.key_ready && p.rec.key) {
      auto key = _k.deserialize(*p.rec.key);
      if (!key) [[unlikely]]
        return std::move(key).as_failure();
      return deliver_value(p, &key.value());
    }
    return deliver_value(p, p.key.get());
  }

 private:
  result<void> deliver_value(pending_record& p, const void* key) {
    if (!p.value_ready && p.rec.value) {
      auto value = _v.deserialize(*p.rec.value);
      if (!value) [[unlikely]]
        return std::move(value).as_failure();
      forward(erased_record{key, &value.value(), p.rec.ts, &p.rec.hdrs});
      return core::success();
    }
    forward(erased_record{key, p.value.get(), p.rec.ts, &p.rec.hdrs});
    return core::success();
  }

  std::vector<std::string> _topics;
  core::serde<K> _k;
  core::serde<V> _v;
  timestamp_extractor<K, V> _extractor;
};

/// Picks a sink's topic per record.
template <class K, class V>
using topic_name_extractor = std::function<std::string(const K& key, const V& value)>;

template <class K, class V>
class typed_sink final : public processor_node {
 public:
  typed_sink(std::optional<std::string> topic, topic_name_extractor<K, V> extractor,
             core::serde<K> k, core::serde<V> v, stream_partitioner<K, V> partitioner)
      : _topic(std::move(topic)),
        _extractor(std::move(extractor)),
        _k(std::move(k)),
        _v(std::move(v)),
        _partitioner(std::move(partitioner)) {}

  void process(const erased_record& r) override {
    if (_topic) [[likely]] {
      send(r, *_topic);
      return;
    }
    const std::string topic = _extractor(deref<K>(r.key), deref<V>(r.value));
    if (topic.empty())
      throw processing_error(name(), "the topic name extractor returned an empty name");
    send(r, topic);
  }

 private:
  void send(const erased_record& r, std::string_view topic) {
    sink_record out{.topic = topic, .ts = r.ts};
    if (r.key != nullptr) out.key.emplace(serialize(_k, r.key, "key", topic));
    if (r.value != nullptr) out.value.emplace(serialize(_v, r.value, "value", topic));
    if (_partitioner) out.partition = custom_partition(r, topic);
    if (r.hdrs != nullptr && !r.hdrs->empty()) out.hdrs = *r.hdrs;
    context().collector().send(std::move(out));
  }

  template <class T>
  bytes serialize(const core::serde<T>& serde, const void* x, const char* what,
                  std::string_view topic) const {
    auto b = serde.serialize(*static_cast<const T*>(x));
    if (!b) [[unlikely]] {
      throw processing_error(name(), "cannot serialize " + std::string(what) + " for topic '" +
                                         std::string(topic) + "': " + b.error().message());
    }
    return std::move(b).value();
  }

  std::optional<partition_id> custom_partition(const erased_record& r, std::string_view topic) {
    const auto n = context().collector().partition_count(topic);
    if (!n || *n <= 0) return std::nullopt;
    const auto p = _partitioner(std::string(topic), deref<K>(r.key), deref<V>(r.value), *n);
    if (!p) return std::nullopt;
    if (*p < 0 || *p >= *n) {
      throw processing_error(name(), "the partitioner returned partition " + std::to_string(*p) +
                                         " of " + std::to_string(*n));
    }
    return partition_id{*p};
  }

  std::optional<std::string> _topic;
  topic_name_extractor<K, V> _extractor;
  core::serde<K> _k;
  core::serde<V> _v;
  stream_partitioner<K, V> _partitioner;
};

}  // namespace sluice::dsl::detail
