#pragma once
/// The page-view example's data and topology, shared by its worker, generator and reader.
///
/// Page views arrive as JSON `{"page": "/home", "user": "u7", "timestamp": 1700000065}`
/// (seconds since the epoch), keyed by user. The application counts views per page in
/// one-minute tumbling windows of event time, accepting views up to `grace` late, and writes
/// every updated count to `page-views-per-minute` (key: page + window start, value: int64).

#include "core/json_serde.h"
#include "dsl/streams.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace page_views {

struct page_view {
  std::string page;
  std::string user;
  int64_t timestamp = 0;  ///< seconds since the epoch
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(page_view, page, user, timestamp)

}  // namespace page_views

template <>
struct sluice::default_serde<page_views::page_view> {
  using type = serdes::json<page_views::page_view>;
};

namespace page_views {

inline const std::string input_topic = "page-views";
inline const std::string output_topic = "page-views-per-minute";
inline constexpr std::chrono::minutes window_size{1};
/// How late (in event time, behind the newest view seen) a view may arrive and still count.
inline constexpr std::chrono::minutes grace{3};

/// The output key: the page and its window (the window start, as Kafka's TimeWindowedSerde).
inline sluice::time_windowed_serde<std::string> output_key_serde() {
  return sluice::time_windowed_serde<std::string>(sluice::core::serdes::string{}, window_size);
}

inline sluice::topology make_topology() {
  using namespace sluice;
  streams_builder builder;
  builder
      .stream<std::string, page_view>(
          input_topic, {.timestamp_extractor =
                            [](const std::string&, const page_view& v, timestamp) {
                              return core::from_epoch_ms(v.timestamp * 1000);  // event time
                            }})
      .group_by([](const std::string&, const page_view& v) { return v.page; },
                grouped<std::string, page_view>::as("views-by-page"))
      .windowed_by(time_windows::of(window_size).grace(grace))
      .count(materialized<std::string, int64_t>::as("page-view-counts"))
      .to_stream()
      .to(output_topic, {.key_serde = output_key_serde(), .value_serde = core::serdes::int64{}});
  return builder.build();
}

}  // namespace page_views
