#include "core/host_port.h"

#include "core/config.h"

#include <charconv>

namespace sluice::core {

host_port parse_host_port(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return config_exception({"invalid value '" + std::string(text) + "' for " + std::string(what) +
                             ": expected host:port"});
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad();
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    throw bad();
  }
  return {std::move(host), static_cast<uint16_t>(port)};
}

std::string to_string(const host_port& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace sluice::core
