#include "runner.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/wait.h>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/code_zip.h"
#include "matcher.h"

namespace conformance::runner {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace cli = durafn::cli;

constexpr const char* kRole = "arn:aws:iam::123456789012:role/durafn-conformance";
// Long enough for the longest wait a requirement names (with skipped time it costs nothing).
constexpr int kExecutionTimeoutSeconds = 86'400;
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string FunctionName(const RunnerOptions& o, const std::string& id) {
  return o.function_prefix + id;
}

std::string FunctionPath(const RunnerOptions& o, const std::string& id) {
  return "/2015-03-31/functions/" + cli::Encode(FunctionName(o, id));
}

bool IsTerminal(const std::string& status) {
  return status == "SUCCEEDED" || status == "FAILED" || status == "TIMED_OUT" ||
         status == "STOPPED";
}

std::string RandomName(const std::string& id) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "conf-" + id + "-";
  for (int i = 0; i < 16; ++i)
    out += kHex[rng() & 0xf];
  return out;
}

json ParseBody(const durafn::api::Response& r) {
  if (r.body.empty()) return json::object();
  return json::parse(r.body, nullptr, false);
}

// Thrown inside a run: the requirement FAILED with this message.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

json GetExecution(cli::ApiClient& api, const std::string& arn) {
  auto r = api.Send("GET", "/2025-12-01/durable-executions/" + cli::Encode(arn));
  if (r.status != 200) throw Failure("GetDurableExecution: " + cli::ErrorLine(r));
  json body = ParseBody(r);
  if (!body.is_object()) throw Failure("GetDurableExecution: the body is not a JSON object");
  return body;
}

json GetHistory(cli::ApiClient& api, const std::string& arn) {
  json events = json::array();
  std::string marker;
  for (int page = 0; page < 1000; ++page) {
    std::string target = "/2025-12-01/durable-executions/" + cli::Encode(arn) +
                         "/history?IncludeExecutionData=true&MaxItems=1000";
    if (!marker.empty()) target += "&Marker=" + cli::Encode(marker);
    auto r = api.Send("GET", target);
    if (r.status != 200) throw Failure("GetDurableExecutionHistory: " + cli::ErrorLine(r));
    json body = ParseBody(r);
    if (!body.is_object() || !body.contains("Events") || !body["Events"].is_array()) {
      throw Failure("GetDurableExecutionHistory: no Events list in the answer");
    }
    for (auto& e : body["Events"])
      events.push_back(std::move(e));
    if (!body.contains("NextMarker") || !body["NextMarker"].is_string()) break;
    marker = body["NextMarker"].get<std::string>();
  }
  return events;
}

bool HasAllEvents(const json& expected, const json& actual) {
  std::set<int64_t> ids;
  for (const auto& e : actual)
    if (e.contains("EventId") && e["EventId"].is_number_integer())
      ids.insert(e["EventId"].get<int64_t>());
  for (const auto& e : expected)
    if (e.contains("EventId") && e["EventId"].is_number_integer() &&
        !ids.count(e["EventId"].get<int64_t>()))
      return false;
  return true;
}

// The callbacks the history shows, in creation order.
struct SeenCallback {
  std::string operation_id, name, callback_id;
  Clock::time_point seen;
  bool closed = false;  // completed by an action of ours
};

// Carries out CallbackActions: each action targets the callback it names ('*': the earliest
// one no earlier action completed) and is sent Delay seconds after that callback first
// appeared in the history. Actions run independently of each other.
class CallbackDriver {
 public:
  explicit CallbackDriver(json actions) : actions_(std::move(actions)) {
    for (std::size_t i = 0; i < actions_.size(); ++i)
      pending_.push_back(i);
  }
  bool done() const { return pending_.empty(); }

  // Looks at the history and sends the actions that are due. Throws Failure when the server
  // refuses one.
  void Step(cli::ApiClient& api, const std::string& arn) {
    if (pending_.empty()) return;
    json history = GetHistory(api, arn);
    auto now = Clock::now();
    for (const auto& e : history) {
      if (e.value("EventType", "") != "CallbackStarted") continue;
      std::string op = e.value("Id", "");
      bool known = false;
      for (const auto& c : callbacks_)
        known = known || c.operation_id == op;
      if (known) continue;
      std::string callback_id;
      if (e.contains("CallbackStartedDetails") && e["CallbackStartedDetails"].is_object()) {
        callback_id = e["CallbackStartedDetails"].value("CallbackId", "");
      }
      callbacks_.push_back({op, e.value("Name", ""), callback_id, now, false});
    }
    for (auto it = pending_.begin(); it != pending_.end();) {
      const json& action = actions_[*it];
      std::string wanted = action.value("CallbackName", "*");
      std::string operation = action.value("Operation", "success");
      SeenCallback* target = nullptr;
      for (auto& c : callbacks_) {
        if (c.closed) continue;
        if (wanted == "*" || c.name == wanted) {
          target = &c;
          break;
        }
      }
      double delay = action.contains("Delay") && action["Delay"].is_number()
                         ? action["Delay"].get<double>()
                         : 0;
      if (!target || now < target->seen + std::chrono::duration<double>(delay)) {
        ++it;
        continue;
      }
      Send(api, *target, operation, action);
      if (operation != "heartbeat") target->closed = true;
      it = pending_.erase(it);
    }
  }

  std::string Describe() const {
    std::string out;
    for (auto i : pending_) {
      if (!out.empty()) out += ", ";
      out += actions_[i].value("Operation", "?") + " to " + actions_[i].value("CallbackName", "*");
    }
    return out;
  }

 private:
  static void Send(cli::ApiClient& api, const SeenCallback& c, const std::string& operation,
                   const json& action) {
    if (c.callback_id.empty()) throw Failure("CallbackStarted event without a CallbackId");
    std::string target = "/2025-12-01/durable-execution-callbacks/" + cli::Encode(c.callback_id);
    std::string body;
    if (operation == "success") {
      target += "/succeed";
      // The payload as AWS's validator encodes it (Python's json.dumps layout).
      body = action.contains("Payload") ? PythonJsonText(action["Payload"]) : "";
    } else if (operation == "failure") {
      target += "/fail";
      json error = action.contains("Payload") ? action["Payload"] : action.value("Error", json());
      body = error.is_object() ? error.dump() : json::object().dump();
    } else if (operation == "heartbeat") {
      target += "/heartbeat";
    } else {
      throw Failure("CallbackActions: unknown Operation '" + operation + "'");
    }
    auto r = api.SendRaw("POST", target, body, {{"Content-Type", "application/json"}});
    if (r.status < 200 || r.status >= 300) {
      throw Failure("callback " + operation + " for " + c.name + ": " + cli::ErrorLine(r));
    }
  }

  json actions_;
  std::vector<std::size_t> pending_;
  std::vector<SeenCallback> callbacks_;
};

void WriteBootstrap(const std::filesystem::path& dir, const std::string& binary, bool local);

// The function's code folder. A server on this machine gets a two-line bootstrap that runs
// the binary where it is (every function's code is then a few bytes, not a copy of a large
// binary per handler); another server gets the binary itself.
std::string TempCodeDir(const std::string& binary, bool local) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "durafn-conformance-code-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
  std::filesystem::path dir(pattern);
  try {
    WriteBootstrap(dir, binary, local);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  return dir.string();
}

// The folder's `bootstrap`: a script running `binary` in place, or a copy of it.
void WriteBootstrap(const std::filesystem::path& dir, const std::string& binary, bool local) {
  if (local) {
    std::string path = std::filesystem::canonical(binary).string();
    if (path.find('\'') != std::string::npos) {
      throw std::runtime_error("the function binary's path contains a quote: " + path);
    }
    std::ofstream(dir / "bootstrap") << "#!/bin/sh\nexec '" << path << "' \"$@\"\n";
  } else {
    std::filesystem::copy_file(binary, dir / "bootstrap");
  }
  std::filesystem::permissions(dir / "bootstrap", std::filesystem::perms::owner_all |
                                                      std::filesystem::perms::group_read |
                                                      std::filesystem::perms::group_exec |
                                                      std::filesystem::perms::others_read |
                                                      std::filesystem::perms::others_exec);
}

void DeployOne(cli::ApiClient& api, const RunnerOptions& o, const Handlers& handlers,
               const std::string& id, bool durable, const json& code) {
  auto setting = handlers.handler_setting.find(id);
  json config = {{"Runtime", o.language == Language::kJs ? "nodejs20.x" : "provided.al2023"},
                 {"Handler", setting != handlers.handler_setting.end() ? setting->second : id},
                 {"Role", kRole},
                 {"Timeout", 60},
                 {"MemorySize", 256}};
  // Handlers call their invoke targets by <prefix><id>.
  config["Environment"] = {{"Variables", {{"CONFORMANCE_FUNCTION_PREFIX", o.function_prefix}}}};
  if (durable) {
    config["DurableConfig"] = {{"ExecutionTimeout", kExecutionTimeoutSeconds},
                               {"RetentionPeriodInDays", 1}};
  }
  auto existing = api.Send("GET", FunctionPath(o, id));
  if (existing.status == 404) {
    json body = config;
    body["FunctionName"] = FunctionName(o, id);
    body["Code"] = code;
    auto r = api.Send("POST", "/2015-03-31/functions", body);
    if (r.status != 201 && r.status != 200) {
      throw std::runtime_error("creating " + FunctionName(o, id) + ": " + cli::ErrorLine(r));
    }
    return;
  }
  if (existing.status != 200) {
    throw std::runtime_error("reading " + FunctionName(o, id) + ": " + cli::ErrorLine(existing));
  }
  auto r = api.Send("PUT", FunctionPath(o, id) + "/code", code);
  if (r.status < 200 || r.status >= 300) {
    throw std::runtime_error("updating the code of " + FunctionName(o, id) + ": " +
                             cli::ErrorLine(r));
  }
  r = api.Send("PUT", FunctionPath(o, id) + "/configuration", config);
  if (r.status < 200 || r.status >= 300) {
    throw std::runtime_error("configuring " + FunctionName(o, id) + ": " + cli::ErrorLine(r));
  }
}

// The execution ARN of the execution named `name` of function `id`, once it exists.
std::optional<std::string> FindExecution(cli::ApiClient& api, const RunnerOptions& o,
                                         const std::string& id, const std::string& name) {
  auto r = api.Send("GET", "/2025-12-01/functions/" + cli::Encode(FunctionName(o, id)) +
                               "/durable-executions?DurableExecutionName=" + cli::Encode(name));
  if (r.status != 200) return std::nullopt;
  json body = ParseBody(r);
  if (!body.is_object() || !body.contains("DurableExecutions")) return std::nullopt;
  for (const auto& e : body["DurableExecutions"]) {
    if (e.value("DurableExecutionName", "") == name) return e.value("DurableExecutionArn", "");
  }
  return std::nullopt;
}

// The function's log lines for this execution (FilterLogEvents, every page).
std::vector<std::string> ExecutionLogs(cli::ApiClient& api, const RunnerOptions& o,
                                       const std::string& id, const std::string& arn) {
  std::vector<std::string> lines;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    json body = {{"logGroupName", "/aws/lambda/" + FunctionName(o, id)},
                 {"durableExecutionArn", arn}};
    if (!token.empty()) body["nextToken"] = token;
    auto r = api.SendRaw("POST", "/", body.dump(),
                         {{"X-Amz-Target", "Logs_20140328.FilterLogEvents"},
                          {"Content-Type", "application/x-amz-json-1.1"}});
    if (r.status == 400 && cli::ErrorType(r) == "ResourceNotFoundException") break;
    if (r.status != 200) throw Failure("FilterLogEvents: " + cli::ErrorLine(r));
    json answer = ParseBody(r);
    if (!answer.is_object()) throw Failure("FilterLogEvents: the body is not a JSON object");
    for (const auto& e : answer.value("events", json::array()))
      lines.push_back(e.value("message", ""));
    if (!answer.contains("nextToken") || !answer["nextToken"].is_string()) break;
    token = answer["nextToken"].get<std::string>();
  }
  return lines;
}

// Whether one log line matches an ExpectedLogs `match`: each member is compared with the
// line's JSON member of that name (for `message`, the whole line when it is not JSON);
// '/re/' is a regex search, anything else must be equal.
bool LogLineMatches(const std::string& line, const json& match) {
  json parsed = json::parse(line, nullptr, false);
  for (const auto& [key, want] : match.items()) {
    std::string text;
    if (parsed.is_object() && parsed.contains(key)) {
      text = parsed[key].is_string() ? parsed[key].get<std::string>() : parsed[key].dump();
    } else if (key == "message") {
      text = line;
    } else {
      return false;
    }
    std::string pattern = want.is_string() ? want.get<std::string>() : want.dump();
    if (pattern.size() >= 2 && pattern.front() == '/' && pattern.back() == '/') {
      try {
        if (!std::regex_search(text, std::regex(pattern.substr(1, pattern.size() - 2))))
          return false;
      } catch (const std::regex_error&) {
        throw Failure("ExpectedLogs: invalid regex " + pattern);
      }
    } else if (text != pattern) {
      return false;
    }
  }
  return true;
}

// The first ExpectedLogs entry whose count differs, or "". Logs arrive shortly after the
// lines are printed, so this looks again for a few seconds before reporting a difference.
std::string CheckLogs(cli::ApiClient& api, const RunnerOptions& o, const std::string& id,
                      const std::string& arn, const json& expected_logs) {
  std::string mismatch;
  for (auto until = Clock::now() + std::chrono::seconds(3);;) {
    auto lines = ExecutionLogs(api, o, id, arn);
    mismatch.clear();
    for (const auto& entry : expected_logs) {
      json match = entry.value("match", json::object());
      std::size_t want = entry.value("count", std::size_t{1});
      std::size_t got = 0;
      for (const auto& line : lines)
        got += LogLineMatches(line, match);
      if (got != want) {
        mismatch = "ExpectedLogs: " + match.dump() + " expected " + std::to_string(want) +
                   " log line(s), found " + std::to_string(got);
        break;
      }
    }
    if (mismatch.empty() || Clock::now() >= until) return mismatch;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::string Describe(const json& v) {
  std::string s = v.dump();
  return s.size() > 200 ? s.substr(0, 197) + "..." : s;
}

// Runs the requirement; returns the first mismatch, or "" when it passed. Throws Failure.
std::string Execute(const RunnerOptions& options, const Requirement& req, bool skip,
                    std::string& arn_out, std::string& actual_out) {
  std::mt19937_64 rng{std::random_device{}()};
  auto vars = ResolveVariables(req.variables, rng);
  json input = Substitute(req.input, vars);
  json actions = Substitute(req.callback_actions, vars);
  json expected_history = Substitute(req.expected_history, vars);
  json expected_logs = Substitute(req.expected_logs, vars);
  std::optional<json> expected_result;
  if (req.expected_result) expected_result = Substitute(*req.expected_result, vars);

  cli::ApiClient api(options.endpoint);
  const auto deadline = Clock::now() + options.timeout;
  const std::string name = RandomName(req.id);
  durafn::api::Headers headers{{"Content-Type", "application/json"},
                               {"X-Amz-Invocation-Type", req.async ? "Event" : "RequestResponse"},
                               {"X-Amz-Durable-Execution-Name", name}};
  if (skip) headers.Set("X-Durafn-Skip-Time", "true");
  const std::string target = FunctionPath(options, req.id) + "/invocations?Qualifier=%24LATEST";
  const std::string body = input.dump();
  std::string arn;
  CallbackDriver driver(actions);

  auto check_invoke = [&](const durafn::api::Response& r) {
    if (r.status >= 300) throw Failure("Invoke: " + cli::ErrorLine(r));
    auto a = r.headers.Get("X-Amz-Durable-Execution-Arn");
    if (!a)
      throw Failure("Invoke: the answer names no durable execution (is the function durable?)");
    return std::string(*a);
  };

  if (req.async || driver.done()) {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
    auto r = api.SendRaw("POST", target, body, headers, timeout);
    arn = check_invoke(r);
  } else {
    // A synchronous invoke with callbacks to send: the invoke waits on its own connection
    // while this one finds the execution by name and drives the callbacks.
    std::optional<durafn::api::Response> sync_answer;
    std::string sync_error;
    std::thread invoker([&] {
      try {
        cli::ApiClient own(options.endpoint);
        sync_answer =
            own.SendRaw("POST", target, body, headers,
                        std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout));
      } catch (const std::exception& e) {
        sync_error = e.what();
      }
    });
    try {
      while (arn.empty() && Clock::now() < deadline) {
        if (auto found = FindExecution(api, options, req.id, name)) arn = *found;
        if (arn.empty()) std::this_thread::sleep_for(kPollInterval);
      }
    } catch (...) {
      invoker.join();
      throw;
    }
    invoker.join();
    if (!sync_error.empty()) throw Failure("Invoke: " + sync_error);
    if (sync_answer) arn = check_invoke(*sync_answer);
  }
  arn_out = arn;

  // Drive callbacks and wait for the end.
  std::string status;
  json execution;
  while (true) {
    driver.Step(api, arn);
    execution = GetExecution(api, arn);
    status = execution.value("Status", "");
    if (IsTerminal(status)) break;
    if (Clock::now() >= deadline) {
      std::string msg = "the execution did not end within " +
                        std::to_string(options.timeout.count()) + " s (status " + status + ")";
      if (!driver.done()) msg += "; callback actions not sent: " + driver.Describe();
      return msg;
    }
    std::this_thread::sleep_for(kPollInterval);
  }

  // The last events (InvocationCompleted) may be written just after the status changes.
  json history = GetHistory(api, arn);
  for (auto until = Clock::now() + std::chrono::seconds(3);
       !HasAllEvents(expected_history, history) && Clock::now() < until;) {
    std::this_thread::sleep_for(kPollInterval);
    history = GetHistory(api, arn);
  }

  actual_out = json{{"Execution", execution}, {"Events", history}}.dump(2);
  Bindings bindings;
  if (expected_result) {
    if (expected_result->contains("ExecutionStatus")) {
      json actual_status = status;
      if (auto m = Match((*expected_result)["ExecutionStatus"], &actual_status, bindings,
                         "ExecutionStatus")) {
        std::string extra;
        if (execution.contains("Error")) extra = " (error " + Describe(execution["Error"]) + ")";
        return *m + extra;
      }
    }
    if (expected_result->contains("Result")) {
      std::optional<json> actual;
      if (execution.contains("Result") && execution["Result"].is_string()) {
        actual = json::parse(execution["Result"].get<std::string>(), nullptr, false);
        if (actual->is_discarded()) actual = execution["Result"];
      }
      if (auto m = Match((*expected_result)["Result"], actual ? &*actual : nullptr, bindings,
                         "Result")) {
        return *m;
      }
    }
  }
  if (auto m = MatchHistory(expected_history, history, bindings)) return *m;
  if (!expected_logs.empty()) {
    if (auto m = CheckLogs(api, options, req.id, arn, expected_logs); !m.empty()) return m;
  }
  if (skip) {
    // The server must say it ran this execution with skipped time.
    if (!execution.contains("TimeSkipping") ||
        execution["TimeSkipping"].value("Enabled", false) != true) {
      return "asked for skip-time, but the execution does not report TimeSkipping";
    }
  }
  return "";
}

}  // namespace

namespace {

// Runs `command` and reads its handler list: "durable|plain ID [HANDLER]" or
// "not-implemented ID REASON" per line.
Handlers ReadHandlerList(const std::string& command, const std::string& what) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + what);
  Handlers out;
  char line[4096];
  while (fgets(line, sizeof line, pipe)) {
    std::string text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    std::istringstream in(text);
    std::string kind, id, setting;
    in >> kind >> id;
    if (kind == "durable" || kind == "plain") {
      (kind == "durable" ? out.durable : out.plain).insert(id);
      if (in >> setting) out.handler_setting[id] = setting;
    } else if (kind == "not-implemented") {
      std::string reason;
      std::getline(in, reason);
      if (!reason.empty() && reason.front() == ' ') reason.erase(0, 1);
      out.not_implemented[id] = reason;
    }
  }
  int rc = pclose(pipe);
  if (rc != 0) {
    throw std::runtime_error(what + " failed (status " + std::to_string(rc) + ")");
  }
  if (out.durable.empty() && out.plain.empty() && out.not_implemented.empty()) {
    throw std::runtime_error(what + " names no handler");
  }
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Handlers ListHandlers(const std::string& binary) {
  return ReadHandlerList(ShellQuote(binary) + " --list", binary + " --list");
}

Handlers ListJsHandlers(const std::string& js_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(fs::path(js_dir) / "list.mjs") ||
      !fs::is_directory(fs::path(js_dir) / "node_modules" / "@aws" / "durable-execution-sdk-js")) {
    throw std::runtime_error(js_dir +
                             " is not a prepared JavaScript handler folder (run "
                             "scripts/conformance-js.sh BUILD_DIR --prepare-only)");
  }
  const char* node = std::getenv("DURAFN_NODE");
  std::string command =
      "cd " + ShellQuote(js_dir) + " && " + ShellQuote(node && *node ? node : "node") + " list.mjs";
  return ReadHandlerList(command, "node list.mjs in " + js_dir);
}

void DeployHandlers(const RunnerOptions& options, const Handlers& handlers) {
  cli::ApiClient api(options.endpoint);
  // The JavaScript folder is deployed as it is; the C++ binary goes in as `bootstrap`.
  const bool local = api.endpoint().loopback();
  const bool js = options.language == Language::kJs;
  std::string dir = js ? std::filesystem::absolute(options.js_dir).string()
                       : TempCodeDir(options.function_binary, local);
  auto cleanup = [&] {
    if (!js) std::filesystem::remove_all(dir);
  };
  try {
    json code =
        local ? json{{"DirectoryPath", dir}} : json{{"ZipFile", cli::Base64(cli::ZipFolder(dir))}};
    for (const auto& id : handlers.durable)
      DeployOne(api, options, handlers, id, true, code);
    for (const auto& id : handlers.plain)
      DeployOne(api, options, handlers, id, false, code);
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
}

bool UsesSkipTime(const RunnerOptions& options, const Requirement& r) {
  switch (options.time) {
    case TimeChoice::kReal:
      return false;
    case TimeChoice::kSkip:
      return true;
    case TimeChoice::kAuto:
      break;
  }
  if (!r.callback_actions.empty()) return false;
  auto seconds = EstimatedSeconds(r);
  return !seconds || *seconds > options.real_time_max_seconds;
}

Outcome RunRequirement(const RunnerOptions& options, const Handlers& handlers,
                       const Requirement& req) {
  Outcome out;
  out.id = req.id;
  out.suite = req.suite;
  out.description = req.description;
  if (auto it = handlers.not_implemented.find(req.id); it != handlers.not_implemented.end()) {
    out.verdict = Verdict::kNotImplemented;
    out.detail = it->second;
    return out;
  }
  if (!handlers.durable.count(req.id)) {
    out.verdict = Verdict::kFailed;
    out.detail = handlers.plain.count(req.id) ? "the handler registered for this id is not durable"
                                              : "no handler registered for this requirement";
    return out;
  }
  bool skip = UsesSkipTime(options, req);
  out.time_mode = skip ? "skip" : "real";
  auto start = Clock::now();
  try {
    std::string mismatch = Execute(options, req, skip, out.execution_arn, out.actual);
    out.verdict = mismatch.empty() ? Verdict::kPassed : Verdict::kFailed;
    out.detail = mismatch;
  } catch (const std::exception& e) {
    out.verdict = Verdict::kFailed;
    out.detail = e.what();
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace conformance::runner
