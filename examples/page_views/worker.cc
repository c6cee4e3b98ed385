// The page-view worker: runs the page_views topology until SIGTERM/SIGINT. With no --bootstrap
// it starts an embedded broker on 127.0.0.1:9092; run several with the same application id to
// share the work (see README.md). It creates its topics (3 partitions) if they are missing.

#include "examples/page_views/page_views.h"
#include "runtime/launcher/run.h"

int main(int argc, char** argv) {
  return sluice::run(page_views::make_topology(), argc, argv,
                     {.config = {{"application.id", "page-views"}},
                      .topics = {{page_views::input_topic, 3}, {page_views::output_topic, 3}}});
}
