#include "loadgen_http.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <exception>
#include <memory>

namespace opsflow::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto kIoTimeout = std::chrono::seconds(30);
constexpr size_t kMaxErrorSamples = 5;
constexpr size_t kMaxBodyInMessage = 300;

int64_t NowEpochMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Request MakeRequest(const Endpoint& o, std::string_view method, std::string_view target,
                    std::string_view body, std::string_view token) {
  Request req(http::string_to_verb(method), o.path_prefix + std::string(target), 11);
  req.set(http::field::host, o.host + ":" + o.port);
  req.set(http::field::user_agent, "opsflow_loadgen");
  req.set(http::field::accept, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

asio::awaitable<beast::error_code> Connect(beast::tcp_stream& stream,
                                           const tcp::resolver::results_type& endpoints) {
  beast::error_code ec;
  stream.expires_after(kIoTimeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
  co_return ec;
}

asio::awaitable<beast::error_code> Exchange(beast::tcp_stream& stream, Request& req, Response& res,
                                            beast::flat_buffer& buffer) {
  beast::error_code ec;
  stream.expires_after(kIoTimeout);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

void Close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
  buffer.clear();
}

// Runs `coroutine` on a fresh io_context until it finishes; rethrows what it throws.
template <typename Awaitable>
void RunToCompletion(asio::io_context& ioc, Awaitable coroutine) {
  std::exception_ptr failure;
  asio::co_spawn(ioc, std::move(coroutine), [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  });
  ioc.run();
  if (failure) std::rethrow_exception(failure);
}

// Empty when `res` is a successful start (its data._id goes to `id`); otherwise a sentence
// saying what was wrong.
std::string CheckStartReply(const Response& res, std::string& id) {
  std::string_view body = res.body();
  if (res.result_int() != 200) {
    return "HTTP " + std::to_string(res.result_int()) + ": " +
           std::string(body.substr(0, kMaxBodyInMessage));
  }
  beast::error_code ec;
  json::value doc = json::parse(body, ec);
  const json::object* obj = ec ? nullptr : doc.if_object();
  const json::value* data = obj ? obj->if_contains("data") : nullptr;
  const json::object* job = data ? data->if_object() : nullptr;
  const json::value* job_id = job ? job->if_contains("_id") : nullptr;
  if (job_id == nullptr || !job_id->is_string()) {
    return "HTTP 200 without data._id: " + std::string(body.substr(0, kMaxBodyInMessage));
  }
  id = std::string(job_id->get_string());
  return {};
}

// Empty when `res` is a 200; otherwise a sentence saying what was wrong.
std::string CheckPlainReply(const Response& res) {
  if (res.result_int() == 200) return {};
  return "HTTP " + std::to_string(res.result_int()) + ": " +
         std::string(std::string_view(res.body()).substr(0, kMaxBodyInMessage));
}

// Where one connection of a run may send: a resolved --url and the request prepared for it.
struct Target {
  const Endpoint* endpoint = nullptr;
  tcp::resolver::results_type resolved;
  Request prototype;
};

struct StartRun {
  const Options& options;
  std::vector<Target> servers;  // starts go round-robin over them; posts to `targets` to [0]
  int total = 0;                                      // requests to send
  const std::vector<std::string>* targets = nullptr;  // per-request paths; null: all starts
  int sent = 0;                                       // requests handed to a connection so far
  StartStats stats;

  void RecordError(std::string message) {
    ++stats.errors;
    if (stats.error_samples.size() < kMaxErrorSamples) {
      stats.error_samples.push_back(std::move(message));
    }
  }
};

// One keep-alive connection to each server: takes the next start while any is left and sends
// it to server (index mod servers), reconnecting after a transport error or a reply that closes
// the connection.
asio::awaitable<void> StartConnection(StartRun& run) {
  auto executor = co_await asio::this_coro::executor;
  struct Link {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    Request req;
    bool open = false;
  };
  std::vector<std::unique_ptr<Link>> links;
  for (const Target& t : run.servers) {
    links.push_back(std::make_unique<Link>(Link{beast::tcp_stream(executor), {}, t.prototype}));
  }
  // Posts to explicit targets (manual100k's finishes) all go to the first server.
  const size_t spread = run.targets != nullptr ? 1 : links.size();
  while (run.sent < run.total) {
    int index = run.sent++;
    size_t which = static_cast<size_t>(index) % spread;
    Link& link = *links[which];
    if (run.targets != nullptr) {
      link.req.target(run.servers[which].endpoint->path_prefix +
                      (*run.targets)[static_cast<size_t>(index)]);
    }
    if (!link.open) {
      beast::error_code ec = co_await Connect(link.stream, run.servers[which].resolved);
      if (ec) {
        run.RecordError("connect: " + ec.message());
        continue;
      }
      link.open = true;
    }
    if (run.stats.first_start_epoch_ms == 0) run.stats.first_start_epoch_ms = NowEpochMs();
    auto t0 = std::chrono::steady_clock::now();
    Response res;
    beast::error_code ec = co_await Exchange(link.stream, link.req, res, link.buffer);
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t0;
    if (ec) {
      run.RecordError("start request: " + ec.message());
      Close(link.stream, link.buffer);
      link.open = false;
      continue;
    }
    std::string id;
    std::string problem = run.targets ? CheckPlainReply(res) : CheckStartReply(res, id);
    if (problem.empty()) {
      run.stats.latencies_ms.push_back(took.count());
      if (!run.targets) run.stats.job_ids.push_back(std::move(id));
    } else {
      run.RecordError(std::move(problem));
    }
    if (!res.keep_alive()) {
      Close(link.stream, link.buffer);
      link.open = false;
    }
  }
  for (auto& link : links) {
    if (link->open) Close(link->stream, link->buffer);
  }
}

asio::awaitable<void> FetchOnce(const Options& o, Request& req, Reply& reply) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::error_code ec;
  auto endpoints = co_await resolver.async_resolve(o.host, o.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    reply.transport_error = "resolve " + o.host + ": " + ec.message();
    co_return;
  }
  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  ec = co_await Connect(stream, endpoints);
  Response res;
  if (!ec) ec = co_await Exchange(stream, req, res, buffer);
  if (ec) {
    reply.transport_error = ec.message();
    co_return;
  }
  reply.status = res.result_int();
  reply.body = std::move(res.body());
  Close(stream, buffer);
}

}  // namespace

Reply Fetch(const Options& o, std::string_view method, std::string_view target,
            std::string_view body, std::string_view token) {
  asio::io_context ioc;
  Endpoint first{o.host, o.port, o.path_prefix};
  Request req = MakeRequest(first, method, target, body, token);
  Reply reply;
  RunToCompletion(ioc, FetchOnce(o, req, reply));
  return reply;
}

namespace {

// Sends `total` POSTs of `body`: to the start route, or to `targets` when not null.
StartStats RunMany(const Options& o, int total, const std::vector<std::string>* targets,
                   const std::string& body, const std::string& token) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  StartRun run{o, {}, total, targets, 0, {}};
  std::vector<Endpoint> single;
  const std::vector<Endpoint>* endpoints = &o.endpoints;
  if (endpoints->empty()) {
    single.push_back(Endpoint{o.host, o.port, o.path_prefix});
    endpoints = &single;
  }
  for (const Endpoint& e : *endpoints) {
    beast::error_code ec;
    Target t{&e, resolver.resolve(e.host, e.port, ec),
             MakeRequest(e, "POST", "/operations-manager/jobs/start", body, token)};
    if (ec) {
      run.stats.errors = total;
      run.stats.error_samples.push_back("resolve " + e.host + ": " + ec.message());
      return run.stats;
    }
    run.servers.push_back(std::move(t));
  }
  run.stats.latencies_ms.reserve(static_cast<size_t>(total));
  if (!targets) run.stats.job_ids.reserve(static_cast<size_t>(total));
  std::exception_ptr failure;
  int connections = std::min(o.connections, total);
  for (int i = 0; i < connections; ++i) {
    asio::co_spawn(ioc, StartConnection(run), [&](std::exception_ptr e) {
      if (e && !failure) failure = e;
    });
  }
  auto t0 = std::chrono::steady_clock::now();
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  run.stats.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run.stats;
}

}  // namespace

StartStats RunStarts(const Options& o, const std::string& body, const std::string& token) {
  return RunMany(o, o.jobs, nullptr, body, token);
}

StartStats RunPosts(const Options& o, const std::vector<std::string>& targets,
                    const std::string& body, const std::string& token) {
  return RunMany(o, static_cast<int>(targets.size()), &targets, body, token);
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace opsflow::bench
