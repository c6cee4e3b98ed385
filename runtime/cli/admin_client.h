#pragma once
// The `sluice` CLI's shared pieces (internal to the CLI): its error type, global options, the
// admin client every command opens, and table output.
//
// `admin_client` is one librdkafka handle (producer type; it needs no group) for admin calls
// and offset queries, created through the project's one librdkafka wrapper
// (runtime/kafka/client.h) with librdkafka's own logs dropped, so that a failure stays one line.
// Owned by the command being run; single-threaded.

#include "runtime/kafka/client.h"

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice::cli {

/// Ends the current command: its message is printed as the one error line.
class cli_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct global_options {
  std::string bootstrap = "localhost:9092";
  int timeout_ms = 10000;
  bool json = false;
};

template <class T, void (*Destroy)(T*)>
struct c_deleter {
  void operator()(T* p) const noexcept { Destroy(p); }
};
using options_ptr =
    std::unique_ptr<rd_kafka_AdminOptions_t, c_deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using tpl_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                c_deleter<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;

/// Throws cli_error for a failed `rd_kafka_error_t` (which may be null: no error).
void check(const rd_kafka_error_t* err, const std::string& what);

class admin_client {
 public:
  /// Connects and reads the cluster's metadata (every command needs the cluster). Throws
  /// cli_error when the cluster cannot be reached.
  explicit admin_client(const global_options& g);
  admin_client(const admin_client&) = delete;
  admin_client& operator=(const admin_client&) = delete;

  rd_kafka_t* rk() const noexcept { return _rk.get(); }

  /// Fresh cluster-wide metadata (all topics; never auto-creates).
  std::shared_ptr<const rd_kafka_metadata_t> fetch_metadata();
  const rd_kafka_metadata_t& metadata() const { return *_md; }
  void refresh() { _md = fetch_metadata(); }
  /// The topic's metadata, or cli_error "unknown topic".
  const rd_kafka_metadata_topic_t& topic(const std::string& name) const;
  options_ptr options(rd_kafka_admin_op_t op) const;

  /// Runs one admin call whose result arrives on a private queue; throws cli_error on a
  /// request-level error (unreachable broker, timeout).
  template <class Call>
  kafka::event call(const std::string& what, Call&& c) {
    try {
      return kafka::admin_call(_rk.get(), what, std::chrono::milliseconds(_g.timeout_ms),
                               [&](rd_kafka_queue_t* q) { c(q); });
    } catch (const kafka::client_error& e) {
      throw cli_error(e.what());
    }
  }

  std::pair<int64_t, int64_t> watermarks(const std::string& t, int32_t p);

 private:
  const global_options& _g;
  kafka::client _rk;
  std::shared_ptr<const rd_kafka_metadata_t> _md;
};

/// Prints rows as left-aligned columns separated by two spaces (first row is the header).
void print_table(const std::vector<std::vector<std::string>>& rows);
/// "KEY=VALUE" split at the first '='; cli_error otherwise.
std::pair<std::string, std::string> split_kv(const std::string& kv);
/// The partition ids of a topic, ascending.
std::vector<int32_t> partitions_of(const rd_kafka_metadata_topic_t& t);

}  // namespace sluice::cli
