#include "runtime/launcher/run.h"

#include "broker/broker.h"
#include "runtime/worker.h"

#include <stdexcept>

namespace sluice {
namespace {

/// A sluice-broker in this process, stopped (flushed, clean-shutdown marker) on destruction.
class in_process_broker final : public runtime::embedded_cluster {
 public:
  in_process_broker(const std::string& listen, const std::filesystem::path& data_dir) {
    broker::broker_options o;
    const auto colon = listen.rfind(':');
    o.host = listen.substr(0, colon);
    o.port = static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)));
    o.data_dir = data_dir;
    auto started = broker::broker::start(o);
    if (!started) throw std::runtime_error(started.error().message());
    _broker = std::move(started).value();
  }
  ~in_process_broker() override { (void)_broker->stop(); }
  std::string bootstrap() const override { return _broker->bootstrap(); }

 private:
  std::unique_ptr<broker::broker> _broker;
};

}  // namespace

int run(dsl::topology topology, int argc, const char* const* argv,
        const runtime::worker_defaults& defaults) {
  return runtime::run_worker(
      std::move(topology), argc, argv, defaults,
      [](const std::string& listen, const std::filesystem::path& data_dir) {
        return std::make_unique<in_process_broker>(listen, data_dir);
      });
}

}  // namespace sluice
