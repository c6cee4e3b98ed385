#pragma once
/// `parse_host_port`: the one parser of "host:port" addresses — broker listeners
/// (`listeners`, `advertised.listeners`, `metrics.listen`), the worker's `--http` and
/// `--broker-listen`, and the embedded broker's listener.
///
/// Accepted: `host:port`, `[ipv6]:port` (brackets removed), and an empty host (`:9092`, any
/// address) only where `allow_empty_host` says so. The port is 0..65535 (0: the kernel picks).
/// A listener's `SCHEME://` prefix is the caller's business (see broker_config).
///
/// Errors name what was being parsed: config_exception with "invalid value 'X' for <what>:
/// expected host:port".

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::core {

struct host_port {
  std::string host;
  uint16_t port = 0;
};

/// `what` names the setting in the error ("config 'listeners'", "--http").
host_port parse_host_port(std::string_view text, std::string_view what);
/// The text `parse_host_port` reads back: "host:port", "[v6]:port" for an IPv6 host.
std::string to_string(const host_port& address);

}  // namespace sluice::core
