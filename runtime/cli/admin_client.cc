#include "runtime/cli/admin_client.h"

#include <algorithm>
#include <iostream>

namespace sluice::cli {

void check(const rd_kafka_error_t* err, const std::string& what) {
  if (err != nullptr && rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw cli_error(what + ": " + rd_kafka_error_string(err));
}

admin_client::admin_client(const global_options& g) : _g(g) {
  core::properties settings{{"bootstrap.servers", g.bootstrap},
                            {"socket.timeout.ms", std::to_string(std::max(g.timeout_ms, 10))}};
  try {
    // librdkafka's own connection logs would break the one-line error contract.
    _rk = kafka::make_client(kafka::client_type::producer, settings, {.what = "sluice", .log = false});
  } catch (const kafka::client_error& e) {
    throw cli_error(e.what());
  }
  _md = fetch_metadata();
}

std::shared_ptr<const rd_kafka_metadata_t> admin_client::fetch_metadata() {
  try {
    return kafka::fetch_metadata(_rk.get(), _g.bootstrap, std::chrono::milliseconds(_g.timeout_ms));
  } catch (const kafka::client_error& e) {
    throw cli_error(e.what());
  }
}

const rd_kafka_metadata_topic_t& admin_client::topic(const std::string& name) const {
  for (int i = 0; i < _md->topic_cnt; ++i)
    if (name == _md->topics[i].topic && _md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return _md->topics[i];
  throw cli_error("unknown topic '" + name + "'");
}

options_ptr admin_client::options(rd_kafka_admin_op_t op) const {
  options_ptr o(rd_kafka_AdminOptions_new(_rk.get(), op));
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(o.get(), _g.timeout_ms, errstr, sizeof errstr);
  return o;
}

std::pair<int64_t, int64_t> admin_client::watermarks(const std::string& t, int32_t p) {
  int64_t lo = 0, hi = 0;
  auto err = rd_kafka_query_watermark_offsets(_rk.get(), t.c_str(), p, &lo, &hi, _g.timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw cli_error("offsets of " + t + "[" + std::to_string(p) + "]: " + rd_kafka_err2str(err));
  return {lo, hi};
}

/// Prints rows as left-aligned columns separated by two spaces (first row is the header).
void print_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return;
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

std::pair<std::string, std::string> split_kv(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw cli_error("bad config '" + kv + "': expected KEY=VALUE");
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::vector<int32_t> partitions_of(const rd_kafka_metadata_topic_t& t) {
  std::vector<int32_t> ps;
  for (int i = 0; i < t.partition_cnt; ++i) ps.push_back(t.partitions[i].id);
  std::sort(ps.begin(), ps.end());
  return ps;
}

}  // namespace sluice::cli
