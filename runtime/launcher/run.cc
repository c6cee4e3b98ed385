#include "runtime/launcher/run.h"

#include "broker/broker.h"
#include "core/host_port.h"
#include "runtime/worker.h"

#include <stdexcept>

namespace sluice {
namespace {

/// A sluice-broker in this process, stopped (flushed, clean-shutdown marker) on destruction.
class in_process_broker final : public runtime::embedded_cluster {
 public:
  in_process_broker(const std::string& listen, const std::filesystem::path& data_dir) {
    broker::broker_options o;
    auto address = core::parse_host_port(listen, "--broker-listen");
    o.host = std::move(address.host);
    o.port = address.port;
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
