#include "runtime/http_endpoint.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace sluice::runtime {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const core::logger log("runtime.http");

/// One connection: read a request, answer it, close. Kept alive by its pending operations
/// (a shared lifetime, hence shared_ptr).
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, const http_endpoint::handler& h)
      : _stream(std::move(socket)), _handler(h) {}

  void start() {
    _stream.expires_after(std::chrono::seconds(10));
    http::async_read(_stream, _buffer, _request,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    _response.version(_request.version());
    _response.keep_alive(false);
    _response.set(http::field::server, "sluice");
    if (_request.method() != http::verb::get && _request.method() != http::verb::head) {
      _response.result(http::status::method_not_allowed);
      _response.set(http::field::allow, "GET, HEAD");
      _response.body() = "only GET\n";
    } else {
      std::string_view target(_request.target().data(), _request.target().size());
      if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
      http_endpoint::response r;
      try {
        r = _handler(target);
      } catch (const std::exception& e) {
        r = {500, "text/plain; charset=utf-8", std::string("error: ") + e.what() + "\n"};
      }
      _response.result(static_cast<http::status>(r.status));
      _response.set(http::field::content_type, r.content_type);
      if (_request.method() == http::verb::get) _response.body() = std::move(r.body);
    }
    _response.prepare_payload();
    http::async_write(_stream, _response, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream _stream;
  beast::flat_buffer _buffer;
  http::request<http::string_body> _request;
  http::response<http::string_body> _response;
  const http_endpoint::handler& _handler;
};

}  // namespace

struct http_endpoint::impl {
  handler h;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  uint16_t port = 0;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) {
          log.warn("accept failed: {}", ec.message());
          accept();
        }
        return;
      }
      std::make_shared<session>(std::move(socket), h)->start();
      accept();
    });
  }
};

http_endpoint::http_endpoint(const std::string& host, uint16_t port, handler h)
    : _impl(std::make_unique<impl>()) {
  _impl->h = std::move(h);
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw streams_error(fmt::format("invalid HTTP listen address '{}': {}", host, ec.message()));
  const tcp::endpoint ep(address, port);
  _impl->acceptor.open(ep.protocol(), ec);
  if (!ec) _impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) _impl->acceptor.bind(ep, ec);
  if (!ec) _impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw streams_error(fmt::format("cannot serve HTTP on {}:{}: {}", host, port, ec.message()));
  }
  _impl->port = _impl->acceptor.local_endpoint().port();
  _impl->accept();
  _impl->thread = std::thread([i = _impl.get()] { i->io.run(); });
}

http_endpoint::~http_endpoint() {
  asio::post(_impl->io, [i = _impl.get()] {
    beast::error_code ignored;
    i->acceptor.close(ignored);
  });
  _impl->io.stop();
  if (_impl->thread.joinable()) _impl->thread.join();
}

uint16_t http_endpoint::port() const noexcept { return _impl->port; }

}  // namespace sluice::runtime
