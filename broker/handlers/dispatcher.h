#pragma once
/// `dispatcher`: turns one request frame from the network layer into a handler call and the
/// handler's reply into a response frame. It peeks at the request prefix, finds the API in the
/// handler table (handler_table.cc), answers an unsupported ApiVersions with Kafka's v0
/// fallback, decodes the request header, counts the request, its latency and the errors its
/// response carries, and writes the response header in front of the handler's body.
///
/// Malformed frames, unknown APIs and unsupported versions close the connection (and only it).
///
/// Threads: `dispatch` may be called from any network thread; `done` is called exactly once,
/// from whichever thread the handler answers on.

#include "broker/net/server.h"
#include "core/bytes.h"

#include <functional>
#include <string>

namespace sluice::broker {

class broker_context;
class broker_metrics;

class dispatcher {
 public:
  dispatcher(broker_context& ctx, broker_metrics& metrics) : _ctx(ctx), _metrics(metrics) {}

  void dispatch(bytes_view frame, const std::string& peer, std::function<void(net::frame_result)> done);

 private:
  broker_context& _ctx;
  broker_metrics& _metrics;
};

}  // namespace sluice::broker
