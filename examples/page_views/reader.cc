// Reads `page-views-per-minute` from the beginning and prints the table of page views per page
// and minute: the latest count of every (window, page).

#include "examples/page_views/page_views.h"
#include "runtime/clients.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <map>

int main(int argc, char** argv) {
  CLI::App app{"Print the page_views example's per-minute counts"};
  std::string bootstrap = "127.0.0.1:9092";
  int64_t until_total = 0;
  int64_t idle_ms = 3000;
  int64_t timeout_ms = 60000;
  bool tsv = false;
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--until-total", until_total, "Wait until the counts add up to this many views (or --timeout-ms)")->capture_default_str();
  app.add_option("--idle-ms", idle_ms, "Stop after the end of the topic and this long without records")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "Stop after this long in any case")->capture_default_str();
  app.add_flag("--tsv", tsv, "Print TSV rows: window start (epoch seconds), page, count");
  CLI11_PARSE(app, argc, argv);

  const auto key_serde = page_views::output_key_serde();
  const sluice::core::serdes::int64 value_serde;
  std::map<std::pair<int64_t, std::string>, int64_t> latest;
  int64_t total = 0;
  try {
    sluice::runtime::read_options options;
    options.idle = std::chrono::milliseconds(idle_ms);
    options.timeout = std::chrono::milliseconds(timeout_ms);
    if (until_total > 0) {
      options.done = [&] { return total == until_total; };
      options.idle = options.timeout;  // the counts may still be on their way
    }
    sluice::runtime::read_topic(
        bootstrap, page_views::output_topic,
        [&](sluice::runtime::read_record&& r) {
          if (!r.rec.key || !r.rec.value) return;
          auto key = key_serde.deserialize(*r.rec.key);
          auto count = value_serde.deserialize(*r.rec.value);
          if (!key || !count) return;
          auto& slot = latest[{sluice::core::to_epoch_ms(key.value().win.start) / 1000, key.value().key}];
          total += count.value() - slot;
          slot = count.value();
        },
        options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "page_views_reader: %s\n", e.what());
    return 1;
  }
  if (!tsv) std::printf("%-20s  %-12s %8s\n", "minute (UTC)", "page", "views");
  for (const auto& [key, n] : latest) {
    if (tsv) {
      std::printf("%lld\t%s\t%lld\n", static_cast<long long>(key.first), key.second.c_str(),
                  static_cast<long long>(n));
      continue;
    }
    const std::time_t t = static_cast<std::time_t>(key.first);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    std::printf("%-20s  %-12s %8lld\n", when, key.second.c_str(), static_cast<long long>(n));
  }
  if (!tsv) std::printf("%lld views in %zu page-minutes\n", static_cast<long long>(total), latest.size());
  return 0;
}
