// Reads `orders-with-payments` and checks it against what the generator's data (same --count,
// --start-ms, --seed) must produce: every order paid within the window exactly once, with the
// right fields, and nothing else. Exit status 0 if it matches, 1 otherwise.

#include "examples/order_payment_join/order_payment_join.h"
#include "runtime/clients.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>

int main(int argc, char** argv) {
  CLI::App app{"Verify the order_payment_join example's output"};
  std::string bootstrap = "127.0.0.1:9092";
  int count = 200;
  int64_t start_ms = 1700000000000;
  uint64_t seed = 1;
  int64_t timeout_ms = 60000;
  int64_t idle_ms = 3000;
  bool allow_duplicates = false;
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--count", count, "Orders the generator produced")->capture_default_str();
  app.add_option("--start-ms", start_ms, "The generator's --start-ms")->capture_default_str();
  app.add_option("--seed", seed, "The generator's --seed")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "Give up waiting for the output after this long")->capture_default_str();
  app.add_option("--idle-ms", idle_ms, "Stop after the end of the topic and this long without records")->capture_default_str();
  app.add_flag("--allow-duplicates", allow_duplicates, "Accept an order joined more than once (at-least-once after a crash)");
  CLI11_PARSE(app, argc, argv);

  using namespace order_payment_join;
  std::map<std::string, order_with_payment> expected;
  for (auto& o : expected_output(generate(count, start_ms, seed))) expected[o.order_id] = o;
  std::map<std::string, int> seen;
  std::vector<std::string> problems;
  std::size_t distinct_expected_seen = 0;
  const sluice::core::serdes::json<order_with_payment> serde;
  try {
    sluice::runtime::read_options options;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    options.idle = std::chrono::milliseconds(idle_ms);
    sluice::runtime::read_topic(
        bootstrap, output_topic,
        [&](sluice::runtime::read_record&& r) {
          const std::string key = r.rec.key ? sluice::core::to_string(*r.rec.key) : "(null)";
          auto value = r.rec.value ? serde.deserialize(*r.rec.value)
                                   : sluice::result<order_with_payment>(sluice::core::failure(
                                         sluice::core::make_error_code(sluice::core::errc::deserialization_failed)));
          if (!value) {
            problems.push_back("undecodable record for key " + key);
            return;
          }
          auto it = expected.find(key);
          if (it == expected.end()) {
            problems.push_back("unexpected join for " + key);
          } else if (!(it->second == value.value())) {
            problems.push_back("wrong fields for " + key);
          }
          if (++seen[key] == 1 && it != expected.end()) ++distinct_expected_seen;
        },
        options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "order_payment_verifier: %s\n", e.what());
    return 1;
  }
  std::size_t duplicates = 0;
  for (const auto& [key, n] : seen) {
    if (n > 1) duplicates += static_cast<std::size_t>(n - 1);
  }
  for (const auto& [key, o] : expected) {
    if (!seen.contains(key)) problems.push_back("missing join for " + key);
  }
  if (duplicates > 0 && !allow_duplicates) {
    problems.push_back(std::to_string(duplicates) + " duplicate join(s)");
  }
  for (std::size_t i = 0; i < problems.size() && i < 20; ++i) std::printf("MISMATCH: %s\n", problems[i].c_str());
  if (!problems.empty()) {
    std::printf("FAILED: %zu problem(s); %zu of %zu expected joins seen\n", problems.size(),
                distinct_expected_seen, expected.size());
    return 1;
  }
  std::printf("OK: %zu orders joined with their payments exactly as expected (%zu duplicates)\n",
              expected.size(), duplicates);
  return 0;
}
