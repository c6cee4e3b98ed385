#include "runtime/detail/deserialization_error_handler.h"

#include "core/assert.h"
#include "core/log.h"
#include "runtime/errors.h"

#include <fmt/format.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.thread");

}  // namespace

deserialization_error_handler::deserialization_error_handler(const streams_config& config, std::string thread_name,
                                                 core::metrics_registry& metrics, sender send_dead_letter)
    : _config(config),
      _thread(std::move(thread_name)),
      _send(std::move(send_dead_letter)),
      _skipped(metrics.register_counter(
          "sluice_streams_skipped_records_total",
          "Records skipped because they could not be deserialized (log-and-continue).",
          {{"thread", _thread}})),
      _dead_lettered(metrics.register_counter("sluice_streams_dead_letter_records_total",
                                              "Undeserializable records sent to the dead-letter topic.",
                                              {{"thread", _thread}})) {}

bool deserialization_error_handler::keeps_raw_records() const noexcept {
  return _config.on_deserialization_error == runtime::deserialization_handler::dead_letter;
}

void deserialization_error_handler::on_deserialization_error(const core::topic_partition& tp, core::offset off,
                                                       const core::raw_record* raw, const std::error_code& ec) {
  switch (_config.on_deserialization_error) {
    case runtime::deserialization_handler::log_and_continue:
      log.warn("{}: skipping record {}-{}@{}: cannot deserialize it: {}", _thread, tp.topic,
               tp.partition.value(), off.value(), ec.message());
      _skipped.inc();
      return;
    case runtime::deserialization_handler::log_and_fail:
      throw streams_error(fmt::format(
          "cannot deserialize record {}-{}@{}: {} (default.deserialization.exception.handler is "
          "log-and-fail)",
          tp.topic, tp.partition.value(), off.value(), ec.message()));
    case runtime::deserialization_handler::dead_letter: {
      SLUICE_ASSERT(raw != nullptr, "dead-letter handler without the raw record");
      core::raw_record r = *raw;
      // The error in headers, with KIP-1034's names, so any Kafka tooling can read them.
      r.hdrs.add("__streams.errors.exception", core::to_bytes("deserialization_failed"));
      r.hdrs.add("__streams.errors.message", core::to_bytes(ec.message()));
      r.hdrs.add("__streams.errors.topic", core::to_bytes(tp.topic));
      r.hdrs.add("__streams.errors.partition", core::to_bytes(std::to_string(tp.partition.value())));
      r.hdrs.add("__streams.errors.offset", core::to_bytes(std::to_string(off.value())));
      _send(_config.dead_letter_topic, r);
      log.warn("{}: record {}-{}@{} cannot be deserialized ({}); sent to dead-letter topic '{}'",
               _thread, tp.topic, tp.partition.value(), off.value(), ec.message(),
               _config.dead_letter_topic);
      _dead_lettered.inc();
      return;
    }
  }
}

}  // namespace sluice::runtime::detail
