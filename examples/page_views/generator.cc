// Produces JSON page views to `page-views` (creating the topics if needed) and, with
// --print-expected, prints the per-minute counts the application must compute from them.

#include "examples/page_views/page_views.h"
#include "runtime/clients.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

int main(int argc, char** argv) {
  CLI::App app{"Generate page views for the page_views example"};
  std::string bootstrap = "127.0.0.1:9092";
  int32_t partitions = 3;
  int count = 600;
  int pages = 5;
  int users = 50;
  int64_t start = 1700000040;  // a minute boundary (2023-11-14 22:14:00 UTC)
  int64_t span = 150;
  int late = 0;
  uint64_t seed = 1;
  bool print_expected = false;
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--partitions", partitions, "Partitions of the topics, if they are created")->capture_default_str();
  app.add_option("--count", count, "Page views to produce")->capture_default_str();
  app.add_option("--pages", pages, "Distinct pages")->capture_default_str();
  app.add_option("--users", users, "Distinct users (the record keys)")->capture_default_str();
  app.add_option("--start", start, "Event time of the first view, seconds since the epoch")->capture_default_str();
  app.add_option("--span-seconds", span, "Event time spanned by the views (keep it within the grace period for exact counts)")->capture_default_str();
  app.add_option("--late", late, "Extra views ten minutes older than --start, produced last: dropped as late")->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_flag("--print-expected", print_expected, "Print the expected counts as TSV: window start, page, count");
  CLI11_PARSE(app, argc, argv);

  try {
    sluice::runtime::ensure_topic(bootstrap, page_views::input_topic, partitions);
    sluice::runtime::ensure_topic(bootstrap, page_views::output_topic, partitions);
    sluice::runtime::simple_producer producer(bootstrap);
    std::mt19937_64 rng(seed);
    const sluice::core::serdes::json<page_views::page_view> serde;
    std::map<std::pair<int64_t, std::string>, int64_t> expected;
    auto send = [&](const page_views::page_view& v) {
      const auto value = serde.serialize(v).value();
      producer.send(page_views::input_topic, sluice::core::as_bytes(v.user), sluice::bytes_view(value),
                    sluice::core::from_epoch_ms(v.timestamp * 1000));
    };
    for (int i = 0; i < count; ++i) {
      page_views::page_view v;
      v.page = "/page-" + std::to_string(rng() % static_cast<uint64_t>(pages));
      v.user = "user-" + std::to_string(rng() % static_cast<uint64_t>(users));
      // Roughly in time order, with up to 10 s of disorder.
      const int64_t base = start + (span * i) / std::max(count, 1);
      v.timestamp = std::clamp<int64_t>(base + static_cast<int64_t>(rng() % 21) - 10, start, start + span);
      send(v);
      ++expected[{v.timestamp - v.timestamp % 60, v.page}];
    }
    producer.flush();
    for (int i = 0; i < late; ++i) {
      page_views::page_view v{"/page-0", "user-late", start - 600 + i};
      send(v);
    }
    producer.flush();
    std::fprintf(stderr, "produced %d page views (%d late) to %s\n", count + late, late,
                 page_views::input_topic.c_str());
    if (print_expected) {
      for (const auto& [key, n] : expected) {
        std::printf("%lld\t%s\t%lld\n", static_cast<long long>(key.first), key.second.c_str(),
                    static_cast<long long>(n));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "page_views_generator: %s\n", e.what());
    return 1;
  }
  return 0;
}
