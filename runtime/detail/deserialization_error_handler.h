#pragma once
/// `deserialization_error_handler`: what a stream thread does with a record its tasks cannot
/// deserialize, per `default.deserialization.exception.handler`:
///
/// - log-and-continue: one warning line, counted in `sluice_streams_skipped_records_total`;
/// - log-and-fail: throws streams_error, which ends the thread;
/// - dead-letter: the raw record goes to `deserialization.dead.letter.topic` with the error in
///   headers under KIP-1034's names (`__streams.errors.exception`, `.message`, `.topic`,
///   `.partition`, `.offset`), counted in `sluice_streams_dead_letter_records_total`.
///
/// Ownership: owned by its stream thread, which passes the sender of dead letters (its current
/// producer: the producer may be recreated). Thread safety: that thread only.

#include "core/metrics.h"
#include "runtime/detail/stream_task.h"
#include "runtime/streams_config.h"

#include <functional>
#include <string>
#include <string_view>

namespace sluice::runtime::detail {

class deserialization_error_handler final : public deserialization_error_sink {
 public:
  /// Sends a record as it is to a topic.
  using sender = std::function<void(std::string_view topic, const core::raw_record& r)>;

  deserialization_error_handler(const streams_config& config, std::string thread_name,
                          core::metrics_registry& metrics, sender send_dead_letter);

  void on_deserialization_error(const core::topic_partition& tp, core::offset off,
                                const core::raw_record* raw, const std::error_code& ec) override;
  bool keeps_raw_records() const noexcept override;

 private:
  const streams_config& _config;
  std::string _thread;
  sender _send;
  core::counter& _skipped;
  core::counter& _dead_lettered;
};

}  // namespace sluice::runtime::detail
