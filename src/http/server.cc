#include "http/server.h"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <future>
#include <thread>
#include <vector>

#include "base/log.h"
#include "http/session.h"
#include "http/tls_context.h"

namespace opsflow::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;

class Server::Impl {
 public:
  Impl(ServerOptions options, std::shared_ptr<api::Handler> handler)
      : state_(std::make_shared<ServerState>(std::move(options), std::move(handler))) {}

  base::Status Start();
  void Stop();
  uint16_t port() const { return port_; }
  size_t connection_count() const { return state_->admitted_count(); }

 private:
  void Accept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket,
                std::shared_ptr<net::io_context> ioc);
  static void RunThread(net::io_context* ioc);

  std::shared_ptr<ServerState> state_;
  std::vector<std::shared_ptr<net::io_context>> iocs_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<tcp::acceptor> acceptor_;  // runs on iocs_[0]
  std::unique_ptr<net::steady_timer> retry_timer_;
  size_t next_ioc_ = 0;  // used only on iocs_[0]'s thread
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

base::Status Server::Impl::Start() {
  if (started_) return base::FailedPrecondition("The HTTP server is already started");
  const ServerOptions& o = state_->options();
  int n = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  for (int i = 0; i < n; ++i) {
    iocs_.push_back(std::make_shared<net::io_context>(1));
    guards_.push_back(net::make_work_guard(*iocs_.back()));
  }
  boost::system::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec) return base::InvalidArgument("Invalid listen address '" + o.address + "'");
  tcp::endpoint endpoint(address, o.port);
  acceptor_ = std::make_unique<tcp::acceptor>(*iocs_[0]);
  retry_timer_ = std::make_unique<net::steady_timer>(*iocs_[0]);
  const std::string where = o.address + ":" + std::to_string(o.port);
  if (acceptor_->open(endpoint.protocol(), ec) ||
      acceptor_->set_option(net::socket_base::reuse_address(true), ec) ||
      acceptor_->bind(endpoint, ec) || acceptor_->listen(o.listen_backlog, ec)) {
    return base::Unavailable("Cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint(ec).port();
  started_ = true;
  net::post(*iocs_[0], [this] { Accept(); });
  for (auto& ioc : iocs_) threads_.emplace_back(&Impl::RunThread, ioc.get());
  return base::Status::Ok();
}

void Server::Impl::RunThread(net::io_context* ioc) {
  pthread_setname_np(pthread_self(), "of-http");
  for (;;) {
    try {
      ioc->run();
      return;
    } catch (const std::exception& e) {
      base::LogError("http io thread caught an exception",
                     "\"error\":\"" + base::JsonEscape(e.what()) + "\"");
    }
  }
}

void Server::Impl::Accept() {
  auto ioc = iocs_[next_ioc_++ % iocs_.size()];
  acceptor_->async_accept(*ioc, [this, ioc](boost::system::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket), ioc);
  });
}

void Server::Impl::OnAccept(boost::system::error_code ec, tcp::socket socket,
                            std::shared_ptr<net::io_context> ioc) {
  if (ec == net::error::operation_aborted || !acceptor_->is_open() || state_->stopping.load()) {
    return;
  }
  if (ec) {
    // Out of descriptors or a transient failure: back off briefly instead of spinning.
    base::LogWarn("http accept failed", "\"error\":\"" + base::JsonEscape(ec.message()) + "\"");
    retry_timer_->expires_after(std::chrono::milliseconds(50));
    retry_timer_->async_wait([this](boost::system::error_code tec) {
      if (!tec) Accept();
    });
    return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::string ip = socket.remote_endpoint(ignored).address().to_string();
  std::string why;
  const bool admitted = state_->Admit(ip, &why);
  const auto& tls = state_->options().tls;
  Transport transport(std::move(socket), tls ? tls->Current() : nullptr);
  auto session =
      std::make_shared<Session>(ioc, std::move(transport), state_, std::move(ip), admitted);
  net::post(*ioc, [session, admitted, why = std::move(why)]() mutable {
    if (admitted) {
      session->Start();
    } else {
      session->StartRefuse(std::move(why));
    }
  });
  Accept();
}

void Server::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  state_->stopping.store(true);
  // Close the listener on its own thread, then ask every session to wind down.
  std::promise<void> closed;
  net::post(*iocs_[0], [this, &closed] {
    boost::system::error_code ec;
    acceptor_->close(ec);
    retry_timer_->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  for (auto& s : state_->LiveSessions()) s->RequestStop();
  state_->WaitUntilEmpty(std::chrono::steady_clock::now() + state_->options().stop_grace);
  for (auto& g : guards_) g.reset();
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Sessions still waiting for a handler past the grace period: close their sockets. No io
  // thread runs any more, so touching them from here is safe.
  for (auto& s : state_->LiveSessions()) s->ForceClose();
  // Run what is still queued (sessions accepted just before the stop, completions of the
  // closed sockets) so that those sessions are released now rather than leaked.
  for (auto& ioc : iocs_) {
    ioc->restart();
    ioc->poll();
  }
  acceptor_.reset();
  retry_timer_.reset();
}

Server::Server(ServerOptions options, std::shared_ptr<api::Handler> handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

base::Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
size_t Server::connection_count() const { return impl_->connection_count(); }

}  // namespace opsflow::http
