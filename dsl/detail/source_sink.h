#pragma once
/// The typed source and sink nodes: where bytes become typed objects and back.

#include "core/serde.h"
#include "dsl/parameters.h"
#include "dsl/record_collector.h"
#include "dsl/task.h"
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
    std::optional<K> key;
    std::optional<V> value;
    const void* kp = p.key.get();
    const void* vp = p.value.get();
    if (!p.key_ready && p.rec.key) {
      SLUICE_TRY(K k, _k.deserialize(*p.rec.key));
      key.emplace(std::move(k));
      kp = &*key;
    }
    if (!p.value_ready && p.rec.value) {
      SLUICE_TRY(V v, _v.deserialize(*p.rec.value));
      value.emplace(std::move(v));
      vp = &*value;
    }
    forward(erased_record{kp, vp, p.rec.ts, &p.rec.hdrs});
    return core::success();
  }

 private:
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
    sink_record out;
    std::string dynamic_topic;
    if (_topic) {
      out.topic = *_topic;
    } else {
      dynamic_topic = _extractor(deref<K>(r.key), deref<V>(r.value));
      if (dynamic_topic.empty())
        throw processing_error(name(), "the topic name extractor returned an empty name");
      out.topic = dynamic_topic;
    }
    if (r.key != nullptr) {
      auto b = _k.serialize(*static_cast<const K*>(r.key));
      if (!b)
        throw processing_error(name(), "cannot serialize key for topic '" + std::string(out.topic) +
                                           "': " + b.error().message());
      out.key = std::move(b).value();
    }
    if (r.value != nullptr) {
      auto b = _v.serialize(*static_cast<const V*>(r.value));
      if (!b)
        throw processing_error(name(), "cannot serialize value for topic '" +
                                           std::string(out.topic) + "': " + b.error().message());
      out.value = std::move(b).value();
    }
    if (_partitioner) {
      if (auto n = context().collector().partition_count(out.topic); n && *n > 0) {
        if (auto p = _partitioner(std::string(out.topic), deref<K>(r.key), deref<V>(r.value), *n)) {
          if (*p < 0 || *p >= *n)
            throw processing_error(name(), "the partitioner returned partition " +
                                               std::to_string(*p) + " of " + std::to_string(*n));
          out.partition = partition_id{*p};
        }
      }
    }
    out.ts = r.ts;
    if (r.hdrs != nullptr) out.hdrs = *r.hdrs;
    context().collector().send(std::move(out));
  }

 private:
  std::optional<std::string> _topic;
  topic_name_extractor<K, V> _extractor;
  core::serde<K> _k;
  core::serde<V> _v;
  stream_partitioner<K, V> _partitioner;
};

}  // namespace sluice::dsl::detail
