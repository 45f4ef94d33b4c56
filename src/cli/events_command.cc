#include "cli/events_command.h"

#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "cli/api_client.h"
#include "cli/args.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::cli {
namespace {

namespace bj = boost::json;

// One event block ("id: ..\nevent: ..\ndata: ..") read into its topic, data and id (each left
// empty when the block has none; a comment-only block has no topic).
void ParseBlock(std::string_view block, std::string* topic, std::string* data, std::string* id) {
  size_t pos = 0;
  while (pos <= block.size()) {
    size_t end = block.find('\n', pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.front() == ':') continue;
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") *topic = value;
    if (field == "data") *data += value;
    if (field == "id") *id = value;
  }
}

// One event block as a line; "" for a comment-only block. Its `id`, when it has one, goes to
// `*id`.
std::string RenderBlock(std::string_view block, std::string* id) {
  std::string topic, data;
  ParseBlock(block, &topic, &data, id);
  if (topic.empty()) return "";
  if (topic == "overflow") return "! the stream fell behind and was closed by the server";
  if (topic == "reset")
    return "! events were missed while disconnected; re-read the jobs you follow";
  return FormatEventLine(topic, data);
}

struct StreamState {
  std::ostream* out;
  std::string pending;
  std::string error_body;  // the body of a non-200 answer
  CURL* curl;
  std::string last_id;  // of the latest event printed: sent as Last-Event-ID on reconnect
};

size_t OnData(char* ptr, size_t size, size_t n, void* user) {
  auto* st = static_cast<StreamState*>(user);
  long status = 0;
  curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
  std::string_view text(ptr, size * n);
  if (status != 200) {
    st->error_body.append(text);
    return size * n;
  }
  std::vector<std::string> lines;
  ConsumeEventText(text, &st->pending, &lines, &st->last_id);
  for (const auto& l : lines) *st->out << l << std::endl;  // flushed: the user watches live
  return size * n;
}

// The token to send: --token/OPSFLOW_TOKEN, else one obtained by logging in.
base::Result<std::string> Token(const ConnectionSettings& cs) {
  if (!cs.token.empty() || cs.user.empty()) return cs.token;
  ApiClient client(cs);
  bj::object body{{"user", bj::object{{"username", cs.user}, {"password", cs.password}}}};
  OPSFLOW_ASSIGN_OR_RETURN(HttpReply r, client.Send("POST", "/login", bj::serialize(body)));
  if (r.status != 200) {
    return base::Unauthenticated("Login as '" + cs.user + "' failed (HTTP " +
                                 std::to_string(r.status) + "): " + ServerMessage(r.body));
  }
  std::string token = r.body;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

// One connection: GETs the stream and prints its events until it ends. `*status` gets the HTTP
// status (0 when no answer came); the curl result is returned.
CURLcode FollowOnce(const std::string& url, const std::string& token, const std::string& cacert,
                    StreamState* st, long* status, std::string* error) {
  CURL* c = curl_easy_init();
  if (!c) {
    *error = "cannot initialise libcurl";
    return CURLE_FAILED_INIT;
  }
  st->curl = c;
  st->pending.clear();
  st->error_body.clear();
  curl_slist* headers = curl_slist_append(nullptr, "Accept: text/event-stream");
  std::string auth = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  std::string resume = "Last-Event-ID: " + st->last_id;
  if (!st->last_id.empty()) headers = curl_slist_append(headers, resume.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, st);
  if (!cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, cacert.c_str());
  CURLcode rc = curl_easy_perform(c);
  *status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  if (rc != CURLE_OK) *error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return rc;
}

// StreamEvents' connection: event blocks to `on_event`, the end of the headers to `on_open`.
struct CallbackState {
  CURL* curl = nullptr;
  std::string pending;
  std::string error_body;
  bool opened = false;
  bool stopped = false;  // on_event said stop
  const std::function<void()>* on_open;
  const std::function<bool(std::string_view, std::string_view)>* on_event;
  const std::atomic<bool>* cancel;
};

size_t OnHeader(char* ptr, size_t size, size_t n, void* user) {
  auto* st = static_cast<CallbackState*>(user);
  std::string_view line(ptr, size * n);
  long status = 0;
  curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
  // The blank line after a 200's headers: the server has subscribed this stream.
  if ((line == "\r\n" || line == "\n") && status == 200 && !st->opened) {
    st->opened = true;
    (*st->on_open)();
  }
  return size * n;
}

size_t OnCallbackData(char* ptr, size_t size, size_t n, void* user) {
  auto* st = static_cast<CallbackState*>(user);
  long status = 0;
  curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
  std::string_view text(ptr, size * n);
  if (status != 200) {
    st->error_body.append(text);
    return size * n;
  }
  for (char ch : text) {
    if (ch != '\r') st->pending.push_back(ch);
  }
  size_t end;
  while ((end = st->pending.find("\n\n")) != std::string::npos) {
    std::string topic, data, id;
    ParseBlock(std::string_view(st->pending).substr(0, end), &topic, &data, &id);
    st->pending.erase(0, end + 2);
    if (!topic.empty() && !(*st->on_event)(topic, data)) {
      st->stopped = true;
      return 0;  // aborts the transfer
    }
  }
  return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<CallbackState*>(user)->cancel->load() ? 1 : 0;
}

int Follow(const ConnectionSettings& cs, const std::string& path, std::ostream& out,
           std::ostream& err) {
  auto token = Token(cs);
  if (!token.ok()) {
    err << "error: " << token.status().message() << "\n";
    return 1;
  }
  std::string base = cs.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + path;
  StreamState st{&out, {}, {}, nullptr, {}};
  constexpr int kRetryMs = 3000;   // the server's `retry:`
  constexpr int kMaxRetries = 20;  // a minute without a stream
  int failures = 0;
  bool connected_once = false;
  for (;;) {
    long status = 0;
    std::string error;
    CURLcode rc = FollowOnce(url, *token, cs.cacert, &st, &status, &error);
    if (status != 200 && status != 0) {  // refused: retrying will not help
      std::string msg = ServerMessage(st.error_body);
      err << "error: GET " << path << " failed (HTTP " << status << ")"
          << (msg.empty() ? "" : ": " + msg) << "\n";
      return 1;
    }
    if (status == 200) {
      connected_once = true;
      failures = 0;
    } else if (!connected_once || ++failures > kMaxRetries) {
      err << "error: GET " << url << ": " << error << "\n";
      return 1;
    }
    err << (rc == CURLE_OK && status == 200 ? "! the server ended the event stream"
                                            : "! the event stream was interrupted")
        << "; reconnecting in " << kRetryMs / 1000 << " s\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(kRetryMs));
  }
}

}  // namespace

std::string EventsPath(const std::vector<std::string>& jobs,
                       const std::vector<std::string>& topics) {
  std::string q;
  for (const auto& j : jobs) q += (q.empty() ? "?" : "&") + std::string("jobId=") + UrlEncode(j);
  for (const auto& t : topics) q += (q.empty() ? "?" : "&") + std::string("topic=") + UrlEncode(t);
  return "/operations-manager/events" + q;
}

void ConsumeEventText(std::string_view text, std::string* pending, std::vector<std::string>* lines,
                      std::string* last_id) {
  for (char ch : text) {
    if (ch != '\r') pending->push_back(ch);
  }
  size_t end;
  while ((end = pending->find("\n\n")) != std::string::npos) {
    std::string id;
    std::string line = RenderBlock(std::string_view(*pending).substr(0, end), &id);
    if (last_id && !id.empty()) *last_id = std::move(id);
    pending->erase(0, end + 2);
    if (!line.empty()) lines->push_back(std::move(line));
  }
}

std::string FormatEventLine(std::string_view topic, std::string_view data_json) {
  auto parsed = json::Parse(data_json);
  if (!parsed.ok() || !parsed->is_object())
    return std::string(topic) + " " + std::string(data_json);
  const bj::object& d = parsed->as_object();
  auto field = [&d](std::string_view key) { return json::StringField(d, key); };
  std::string line = field("time") + " " + std::string(topic) + " job=" + field("jobId");
  if (!field("taskId").empty()) {
    line += " task=" + field("taskId") + " (" + field("taskName") + ")";
  }
  if (!field("status").empty()) line += " status=" + field("status");
  if (!field("finishState").empty()) line += " " + field("finishState");
  if (!field("parentJobId").empty()) line += " parent=" + field("parentJobId");
  if (!field("workflow").empty()) line += " workflow=\"" + field("workflow") + "\"";
  return line;
}

base::Status StreamEvents(const ConnectionSettings& cs, const std::string& path,
                          const std::function<void()>& on_open,
                          const std::function<bool(std::string_view, std::string_view)>& on_event,
                          const std::atomic<bool>& cancel) {
  OPSFLOW_ASSIGN_OR_RETURN(std::string token, Token(cs));
  std::string base = cs.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + path;
  CURL* c = curl_easy_init();
  if (!c) return base::Internal("cannot initialise libcurl");
  CallbackState st;
  st.curl = c;
  st.on_open = &on_open;
  st.on_event = &on_event;
  st.cancel = &cancel;
  curl_slist* headers = curl_slist_append(nullptr, "Accept: text/event-stream");
  std::string auth = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnCallbackData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &st);
  if (!cs.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, cs.cacert.c_str());
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  std::string error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  if (st.stopped || cancel.load()) return base::Status::Ok();
  if (status != 200 && status != 0) {
    std::string msg = ServerMessage(st.error_body);
    return base::Unavailable("GET " + path + " failed (HTTP " + std::to_string(status) + ")" +
                             (msg.empty() ? "" : ": " + msg));
  }
  return base::Unavailable(rc == CURLE_OK ? "the server ended the event stream"
                                          : "the event stream was interrupted: " + error);
}

int RunEvents(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string url, user, password, token, cacert;
  std::vector<std::string> jobs, topics;
  CLI::App app("Follow job and task events live (one line each) until interrupted",
               "opsflow events");
  app.add_option("--url", url, "Server URL (env OPSFLOW_URL, default http://127.0.0.1:3000)");
  app.add_option("--user", user, "User name to log in with (env OPSFLOW_USER)");
  app.add_option("--password", password, "Password (env OPSFLOW_PASSWORD)");
  app.add_option("--token", token, "API token, sent as a Bearer token (env OPSFLOW_TOKEN)");
  app.add_option("--cacert", cacert,
                 "PEM CA file to verify an https:// server (env OPSFLOW_CACERT)");
  app.add_option("--job", jobs, "Only this job and its child jobs (repeatable)");
  app.add_option("--topic", topics,
                 "Only this topic (repeatable): jobStart jobComplete jobError jobPause "
                 "jobResume jobCancel jobFix jobSlaBreach taskStart taskComplete");
  if (int rc = ParseWith(app, args, out, err); rc >= 0) return rc;
  ConnectionSettings cs = ResolveConnection(url, user, password, token);
  if (!cacert.empty()) cs.cacert = cacert;
  return Follow(cs, EventsPath(jobs, topics), out, err);
}

}  // namespace opsflow::cli
