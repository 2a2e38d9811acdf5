// Routing by method and path pattern, the way restJson1 binds URI labels: each {Label}
// matches exactly one non-empty path segment, and segments are split on the raw '/' before
// being percent-decoded (a durable-execution ARN contains '/', sent as %2F).
//
// The router answers in two steps because the server must know a route's body limit before
// reading the body: Resolve() runs on the request head, the handler once the body is in.
// Routes are registered before the server starts and never change afterwards, so lookups
// need no locking.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"
#include "api/responder.h"
#include "protocol/api_error.h"

namespace durafn::api {

// Lambda's request payload limit for synchronous invocations is 6 MB; 6.5 MiB leaves room
// for the JSON framing of the other operations without accepting anything unbounded.
inline constexpr std::size_t kDefaultMaxBodyBytes = 6'815'744;  // 6.5 MiB

// A route handler. It runs on an I/O thread, so it must not block: anything that waits
// (disk, locks held for long, other services) has to be posted elsewhere, keeping the
// Responder to answer from there.
using Handler = std::function<void(Request request, Responder responder)>;

// Answers a request whose body exceeds the route's limit, given the path labels. Runs on an
// I/O thread before the body is read, so it must not block.
using BodyTooLargeHandler = std::function<Response(const PathLabels& labels)>;

struct RouteOptions {
  // Larger bodies are refused with 413 RequestTooLargeException before being read.
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  // When set, answers oversized bodies instead of the generic 413 (the Runtime API must also
  // fail the invocation the oversized response belonged to).
  BodyTooLargeHandler on_body_too_large = {};
};

// The outcome of Resolve(): a route, or the error to answer with.
struct RouteMatch {
  const Handler* handler = nullptr;  // null when `error` is set
  std::size_t max_body_bytes = 0;
  const BodyTooLargeHandler* on_body_too_large = nullptr;  // null: the generic 413
  std::string pattern;  // of the matched route, e.g. "/2025-12-01/durable-executions/{Arn}"
  std::string path;     // raw path of the target
  PathLabels labels;
  QueryParams query;
  std::optional<protocol::ApiError> error;

  bool ok() const { return handler != nullptr; }
};

class Router {
 public:
  // Registers `handler` for `method` on `pattern`, an absolute path of literal segments
  // and "{Name}" label segments. Asserts that the pattern is well formed and that no route
  // with the same method and shape exists. When several patterns match a path, the one
  // with a literal segment where the others have a label, earliest, wins.
  void Add(std::string method, std::string_view pattern, Handler handler,
           RouteOptions options = {});

  // Finds the route for `method` and the raw request-target `target`. Errors:
  //   400 InvalidParameterValueException: target not origin-form, or malformed %-escapes;
  //   404 UnknownOperationException: no pattern matches the path, or one does but not for
  //   this method (the message then says which methods are allowed; AWS answers unknown
  //   operations with 404, so clients see one kind of failure).
  RouteMatch Resolve(std::string_view method, std::string_view target) const;

  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the label name
    bool is_label = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    RouteOptions options;
  };

  static bool Matches(const Route& route, const std::vector<std::string>& segments);
  // True when `a` is more specific than `b`: a literal where `b` has a label, earliest.
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace durafn::api
