#pragma once
/// `client_factory`: the one place that builds a stream thread's librdkafka clients from the
/// application's configuration — its group consumer, its restore consumer's settings and its
/// producer (with the transactional id under exactly-once) — so that a producer recreated after
/// a fatal error is configured exactly like the first one.
///
/// | client           | client.id                       | what is set on top of the user's settings |
/// |------------------|---------------------------------|-------------------------------------------|
/// | consumer         | `<client.id>-<thread>-consumer` | group.id = application.id, manual commits and offset store, read_committed, range assignment, auto.offset.reset=earliest unless set, group.instance.id = `<group.instance.id>-<thread index>` when static, the prefetch below |
/// | restore consumer | `...-restore-consumer`          | group.id = `<application.id>-restore` (never joined: assign only), the prefetch below |
/// | producer         | `...-producer`                  | transactional.id = `<application.id>-<process id>-<thread index>` under exactly_once_v2 (the collector sets the partitioner) |
///
/// Prefetch: librdkafka 2.0 stops fetching once a consumer's queue holds queued.min.messages
/// (default 100 000) or queued.max.messages.kbytes (64 MiB), and looks again only about a
/// second later (its broker thread's idle wake-up), however fast the queue drains: a thread
/// that drains the queue in less than a second then sits idle for the rest of it. The prefetch
/// must hold about a second of input: a million records, 256 MiB (at ~1 M records/s of 100 B
/// that is 1.3 s). It is a ceiling, reached only by a thread with a backlog; users can lower
/// both.
///
/// Thread safety: const after construction; used by its stream thread.

#include "core/config.h"
#include "runtime/detail/kafka.h"
#include "runtime/detail/kafka_record_collector.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/streams_config.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace sluice::runtime::detail {

class client_factory {
 public:
  client_factory(const streams_config& config, const topic_layout& layout, const std::string& process_id,
                 int thread_index, std::string thread_name);

  bool exactly_once() const noexcept { return _transactional_id.has_value(); }
  const std::optional<std::string>& transactional_id() const noexcept { return _transactional_id; }

  /// The thread's producer. Under exactly-once it is transactional and initialized (fencing any
  /// earlier producer with the same transactional.id and aborting its open transaction) before
  /// it is returned; `init_timeout` bounds that. Throws streams_error.
  std::unique_ptr<kafka_record_collector> producer(std::chrono::milliseconds init_timeout) const;
  /// The thread's input consumer: reads `read_committed`, never joins the group (the thread
  /// assigns its tasks' partitions itself), reads committed offsets of group `application.id`.
  /// Throws streams_error.
  kafka_client consumer() const;
  /// The restore consumer's settings (changelog_reader builds it).
  core::properties restore_consumer() const;

 private:
  const streams_config& _config;
  const topic_layout& _layout;
  const std::string _thread;
  const std::string _client;  ///< `<client.id>-<thread>`
  std::optional<std::string> _transactional_id;
};

}  // namespace sluice::runtime::detail
