#include "api/logs_api.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/work_pool.h"
#include "hosting/log_filter_pattern.h"

namespace durafn::api {
namespace {

using nlohmann::json;

constexpr std::string_view kTargetPrefix = "Logs_20140328.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";
// The body of a Logs read request is a few hundred bytes; 64 KiB leaves room for 100 stream
// names of 512 bytes and a 1 KiB pattern.
constexpr std::size_t kMaxLogsRequestBytes = 64 * 1024;
constexpr int64_t kMaxDescribeLimit = 50;

// A CloudWatch Logs error: what the handler answers with instead of a result.
struct LogsError {
  std::string type;
  std::string message;
  int status = 400;
};

LogsError Invalid(std::string message) {
  return {"InvalidParameterException", std::move(message)};
}

Response LogsJson(const json& body, int status = 200) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::string(kContentType));
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response LogsErrorResponse(const LogsError& e) {
  Response r = LogsJson({{"__type", e.type}, {"message", e.message}}, e.status);
  r.headers.Set("X-Amzn-ErrorType", e.type);
  return r;
}

LogsError FromStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return {"ResourceNotFoundException", s.message()};
    case Status::Code::kInvalidArgument:
      return Invalid(s.message());
    default:
      return {"ServiceUnavailableException", s.message(), 500};
  }
}

// Typed access to the members of a request body; the first problem is kept and reported.
class Members {
 public:
  explicit Members(const json& body) : body_(body) {}

  std::optional<std::string> String(const char* key, std::size_t max_bytes = 1024) {
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return Fail(std::string(key) + " must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes) {
      return Fail(std::string(key) + " is longer than " + std::to_string(max_bytes) + " bytes");
    }
    return s;
  }

  std::optional<int64_t> Int(const char* key, int64_t min, int64_t max) {
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) return Fail(std::string(key) + " must be an integer");
    int64_t v = it->get<int64_t>();
    if (v < min || v > max) {
      return Fail(std::string(key) + " must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
    }
    return v;
  }

  std::optional<bool> Bool(const char* key) {
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) return Fail(std::string(key) + " must be a boolean");
    return it->get<bool>();
  }

  std::optional<std::vector<std::string>> Strings(const char* key, std::size_t max_items,
                                                  std::size_t max_bytes) {
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) return std::nullopt;
    if (!it->is_array() || it->empty() || it->size() > max_items) {
      return Fail(std::string(key) + " must be a list of 1 to " + std::to_string(max_items) +
                  " strings");
    }
    std::vector<std::string> out;
    for (const auto& v : *it) {
      if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
          v.get_ref<const std::string&>().size() > max_bytes) {
        return Fail(std::string(key) + " must hold non-empty strings of at most " +
                    std::to_string(max_bytes) + " bytes");
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  // The log group: logGroupName or logGroupIdentifier (a name or an ARN), exactly one.
  std::optional<std::string> Group() {
    auto name = String("logGroupName", hosting::kMaxLogNameBytes);
    auto id = String("logGroupIdentifier", 2048);
    if (error_) return std::nullopt;
    if (name && id) return Fail("Specify logGroupName or logGroupIdentifier, not both");
    if (!name && !id) return Fail("logGroupName or logGroupIdentifier is required");
    if (name) return name;
    // arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
    std::string value = *id;
    constexpr std::string_view kMarker = ":log-group:";
    if (value.rfind("arn:", 0) == 0) {
      auto at = value.find(kMarker);
      if (at == std::string::npos) return Fail("logGroupIdentifier is not a log group ARN");
      value = value.substr(at + kMarker.size());
      if (value.size() >= 2 && value.compare(value.size() - 2, 2, ":*") == 0) {
        value.resize(value.size() - 2);
      }
    }
    if (value.empty()) return Fail("logGroupIdentifier is empty");
    return value;
  }

  std::nullopt_t Fail(std::string message) {
    if (!error_) error_ = Invalid(std::move(message));
    return std::nullopt;
  }
  const std::optional<LogsError>& error() const { return error_; }

 private:
  const json& body_;
  std::optional<LogsError> error_;
};

// Pagination tokens: "<kind>.<decimal>", where kind names what the number is. Opaque to
// clients; a token of another kind or a malformed one is InvalidParameterException.
std::string Token(std::string_view kind, int64_t n) {
  return std::string(kind) + "." + std::to_string(n);
}

std::optional<int64_t> ParseToken(std::string_view token, std::string_view kind) {
  if (token.size() <= kind.size() + 1 || token.substr(0, kind.size()) != kind ||
      token[kind.size()] != '.') {
    return std::nullopt;
  }
  std::string_view digits = token.substr(kind.size() + 1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  return n;
}

std::string GroupArn(const hosting::Identity& id, const std::string& group) {
  return "arn:" + id.partition + ":logs:" + id.region + ":" + id.account + ":log-group:" + group;
}

using Outcome = std::variant<json, LogsError>;

Outcome FilterLogEvents(hosting::LogStore& store, const json& body) {
  Members m(body);
  hosting::LogQuery q;
  auto group = m.Group();
  auto streams =
      m.Strings("logStreamNames", hosting::kMaxLogStreamNamesPerQuery, hosting::kMaxLogNameBytes);
  auto prefix = m.String("logStreamNamePrefix", hosting::kMaxLogNameBytes);
  auto start = m.Int("startTime", 0, INT64_MAX);
  auto end = m.Int("endTime", 0, INT64_MAX - 1);
  auto pattern = m.String("filterPattern", hosting::kMaxFilterPatternBytes);
  auto token = m.String("nextToken", 1024);
  auto limit = m.Int("limit", 1, hosting::kMaxLogQueryLimit);
  auto request_id = m.String("requestId", 256);
  auto arn = m.String("durableExecutionArn", 2048);
  auto after = m.String("afterEventId", 32);
  m.Bool("interleaved");
  m.Bool("unmask");
  if (m.error()) return *m.error();
  if (streams && prefix) {
    return Invalid("Specify logStreamNames or logStreamNamePrefix, not both");
  }
  q.group = *group;
  if (streams) q.streams = *streams;
  if (prefix) q.stream_prefix = *prefix;
  q.start_ms = start;
  if (end) q.end_ms = *end + 1;  // CloudWatch's endTime is inclusive here
  if (pattern) q.filter_pattern = *pattern;
  if (request_id) q.request_id = *request_id;
  if (arn) q.durable_execution_arn = *arn;
  if (limit) q.limit = static_cast<std::size_t>(*limit);
  if (after) {
    auto id = ParseToken("e." + *after, "e");
    if (!id) return Invalid("afterEventId must be an eventId");
    q.after_id = *id;
  }
  if (token) {
    auto id = ParseToken(*token, "fle");
    if (!id) return Invalid("The specified nextToken is invalid.");
    q.after_id = std::max(q.after_id, *id);
  }
  auto page = store.Query(q);
  if (!page.ok()) return FromStatus(page.status());

  json events = json::array();
  std::vector<std::string> stream_order;
  std::set<std::string, std::less<>> seen;
  for (const auto& e : page->events) {
    events.push_back({{"logStreamName", e.stream},
                      {"timestamp", e.timestamp_ms},
                      {"message", e.message},
                      {"ingestionTime", e.ingestion_ms},
                      {"eventId", std::to_string(e.id)}});
    if (seen.insert(e.stream).second) stream_order.push_back(e.stream);
  }
  json searched = json::array();
  for (const auto& s : stream_order)
    searched.push_back({{"logStreamName", s}, {"searchedCompletely", page->complete}});
  json out = {{"events", std::move(events)}, {"searchedLogStreams", std::move(searched)}};
  if (!page->complete) out["nextToken"] = Token("fle", page->resume_id);
  return out;
}

Outcome GetLogEvents(hosting::LogStore& store, const json& body) {
  Members m(body);
  auto group = m.Group();
  auto stream = m.String("logStreamName", hosting::kMaxLogNameBytes);
  auto start = m.Int("startTime", 0, INT64_MAX);
  auto end = m.Int("endTime", 0, INT64_MAX);
  auto token = m.String("nextToken", 1024);
  auto limit = m.Int("limit", 1, hosting::kMaxLogQueryLimit);
  auto from_head = m.Bool("startFromHead");
  m.Bool("unmask");
  if (m.error()) return *m.error();
  if (!stream || stream->empty()) return Invalid("logStreamName is required");

  // The stream must exist (CloudWatch answers ResourceNotFoundException otherwise).
  auto streams = store.ListStreams(*group, *stream, hosting::LogStreamOrder::kName, false, 0, 1);
  if (!streams.ok()) return FromStatus(streams.status());
  if (streams->empty() || streams->front().name != *stream) {
    return LogsError{"ResourceNotFoundException", "The specified log stream does not exist."};
  }

  hosting::LogQuery q;
  q.group = *group;
  q.streams = {*stream};
  q.start_ms = start;
  q.end_ms = end;  // exclusive for GetLogEvents
  if (limit) q.limit = static_cast<std::size_t>(*limit);
  // Tokens: "f.<id>" continues after event id, "b.<id>" goes back before it.
  bool backward = !from_head.value_or(false);
  if (token) {
    if (auto f = ParseToken(*token, "f")) {
      backward = false;
      q.after_id = *f;
    } else if (auto b = ParseToken(*token, "b")) {
      backward = true;
      q.before_id = *b;
    } else {
      return Invalid("The specified nextToken is invalid.");
    }
  }
  q.newest_first = backward;
  auto page = store.Query(q);
  if (!page.ok()) return FromStatus(page.status());
  auto& events = page->events;
  if (backward) std::reverse(events.begin(), events.end());

  json list = json::array();
  for (const auto& e : events) {
    list.push_back(
        {{"timestamp", e.timestamp_ms}, {"message", e.message}, {"ingestionTime", e.ingestion_ms}});
  }
  std::string forward, back;
  if (!events.empty()) {
    forward = Token("f", events.back().id);
    back = Token("b", events.front().id);
  } else if (token) {
    forward = back = *token;  // the end in that direction: the same token comes back
  } else {
    forward = Token("f", 0);
    back = Token("b", 0);
  }
  return json{{"events", std::move(list)},
              {"nextForwardToken", std::move(forward)},
              {"nextBackwardToken", std::move(back)}};
}

Outcome DescribeLogGroups(hosting::LogStore& store, const hosting::Identity& identity,
                          const json& body) {
  Members m(body);
  auto prefix = m.String("logGroupNamePrefix", hosting::kMaxLogNameBytes);
  auto pattern = m.String("logGroupNamePattern", hosting::kMaxLogNameBytes);
  auto token = m.String("nextToken", 1024);
  auto limit = m.Int("limit", 1, kMaxDescribeLimit);
  m.Bool("includeLinkedAccounts");
  if (m.error()) return *m.error();
  if (prefix && pattern) {
    return Invalid("Specify logGroupNamePrefix or logGroupNamePattern, not both");
  }
  int64_t offset = 0;
  if (token) {
    auto o = ParseToken(*token, "dlg");
    if (!o) return Invalid("The specified nextToken is invalid.");
    offset = *o;
  }
  int64_t n = limit.value_or(kMaxDescribeLimit);
  // One more than asked: whether a next page exists.
  auto groups = store.ListGroups(prefix.value_or(""), pattern.value_or(""),
                                 static_cast<std::size_t>(offset), static_cast<std::size_t>(n + 1));
  if (!groups.ok()) return FromStatus(groups.status());
  json list = json::array();
  for (int64_t i = 0; i < std::min<int64_t>(n, static_cast<int64_t>(groups->size())); ++i) {
    const auto& g = (*groups)[static_cast<std::size_t>(i)];
    std::string arn = GroupArn(identity, g.name);
    list.push_back({{"logGroupName", g.name},
                    {"creationTime", g.creation_ms},
                    {"metricFilterCount", 0},
                    {"arn", arn + ":*"},
                    {"logGroupArn", arn},
                    {"storedBytes", g.stored_bytes},
                    {"logGroupClass", "STANDARD"}});
  }
  json out = {{"logGroups", std::move(list)}};
  if (static_cast<int64_t>(groups->size()) > n) out["nextToken"] = Token("dlg", offset + n);
  return out;
}

Outcome DescribeLogStreams(hosting::LogStore& store, const hosting::Identity& identity,
                           const json& body) {
  Members m(body);
  auto group = m.Group();
  auto prefix = m.String("logStreamNamePrefix", hosting::kMaxLogNameBytes);
  auto order_by = m.String("orderBy", 32);
  auto descending = m.Bool("descending");
  auto token = m.String("nextToken", 1024);
  auto limit = m.Int("limit", 1, kMaxDescribeLimit);
  if (m.error()) return *m.error();
  auto order = hosting::LogStreamOrder::kName;
  if (order_by && *order_by == "LastEventTime") {
    order = hosting::LogStreamOrder::kLastEventTime;
  } else if (order_by && *order_by != "LogStreamName") {
    return Invalid("orderBy must be LogStreamName or LastEventTime");
  }
  if (order == hosting::LogStreamOrder::kLastEventTime && prefix) {
    return Invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  int64_t offset = 0;
  if (token) {
    auto o = ParseToken(*token, "dls");
    if (!o) return Invalid("The specified nextToken is invalid.");
    offset = *o;
  }
  int64_t n = limit.value_or(kMaxDescribeLimit);
  auto streams =
      store.ListStreams(*group, prefix.value_or(""), order, descending.value_or(false),
                        static_cast<std::size_t>(offset), static_cast<std::size_t>(n + 1));
  if (!streams.ok()) return FromStatus(streams.status());
  std::string group_arn = GroupArn(identity, *group);
  json list = json::array();
  for (int64_t i = 0; i < std::min<int64_t>(n, static_cast<int64_t>(streams->size())); ++i) {
    const auto& s = (*streams)[static_cast<std::size_t>(i)];
    json entry = {{"logStreamName", s.name},
                  {"creationTime", s.creation_ms},
                  {"arn", group_arn + ":log-stream:" + s.name},
                  {"storedBytes", s.stored_bytes}};
    if (s.stored_bytes > 0) {
      entry["firstEventTimestamp"] = s.first_event_ms;
      entry["lastEventTimestamp"] = s.last_event_ms;
      entry["lastIngestionTime"] = s.last_ingestion_ms;
    }
    list.push_back(std::move(entry));
  }
  json out = {{"logStreams", std::move(list)}};
  if (static_cast<int64_t>(streams->size()) > n) out["nextToken"] = Token("dls", offset + n);
  return out;
}

// Runs one operation; nullopt when `operation` is not one durafn serves.
std::optional<Outcome> Dispatch(std::string_view operation, hosting::LogStore& store,
                                const hosting::Identity& identity, const json& body) {
  if (operation == "FilterLogEvents") return FilterLogEvents(store, body);
  if (operation == "GetLogEvents") return GetLogEvents(store, body);
  if (operation == "DescribeLogGroups") return DescribeLogGroups(store, identity, body);
  if (operation == "DescribeLogStreams") return DescribeLogStreams(store, identity, body);
  return std::nullopt;
}

}  // namespace

void RegisterLogsRoutes(Router& router, hosting::LogStore& store, LogsApiOptions options) {
  // Held by the handler only: queued work references the store, never the pool, so the pool
  // is destroyed (and joined) with the router, never from one of its own threads.
  auto pool = std::make_shared<WorkPool>(options.query_threads, options.max_queued_queries);
  hosting::Identity identity = options.identity;
  router.Add(
      "POST", "/",
      [pool, &store, identity](Request req, Responder res) {
        auto target = req.headers.Get("X-Amz-Target");
        if (!target || target->substr(0, kTargetPrefix.size()) != kTargetPrefix) {
          return res.Send(LogsErrorResponse(
              {"UnknownOperationException",
               "Missing or unknown X-Amz-Target: " + std::string(target.value_or(""))}));
        }
        std::string operation(target->substr(kTargetPrefix.size()));
        json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
        if (!body.is_object()) {
          return res.Send(LogsErrorResponse(
              {"SerializationException", "The request body must be a JSON object"}));
        }
        auto shared = std::make_shared<Responder>(std::move(res));
        bool queued = pool->Post([shared, &store, identity, operation, body = std::move(body)] {
          auto outcome = Dispatch(operation, store, identity, body);
          if (!outcome) {
            return shared->Send(LogsErrorResponse(
                {"UnknownOperationException",
                 "durafn does not implement the CloudWatch Logs operation " + operation}));
          }
          if (auto* error = std::get_if<LogsError>(&*outcome)) {
            return shared->Send(LogsErrorResponse(*error));
          }
          shared->Send(LogsJson(std::get<json>(*outcome)));
        });
        if (!queued) {
          shared->Send(LogsErrorResponse(
              {"ThrottlingException", "Too many log queries in progress; retry later"}));
        }
      },
      RouteOptions{.max_body_bytes = kMaxLogsRequestBytes});
}

}  // namespace durafn::api
