#include "api/router.h"

#include <algorithm>
#include <cassert>

#include "api/uri.h"

namespace durafn::api {

using protocol::ApiError;
using protocol::ErrorCode;

void Router::Add(std::string method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
  assert(!method.empty());
  assert(handler);
  assert(!pattern.empty() && pattern.front() == '/' && "patterns are absolute paths");
  Route route{std::move(method), std::string(pattern), {}, std::move(handler), options};
  for (std::string_view raw : SplitPath(pattern)) {
    bool is_label = raw.size() >= 2 && raw.front() == '{' && raw.back() == '}';
    if (is_label) {
      assert(raw.size() > 2 && "a label needs a name");
      route.segments.push_back({std::string(raw.substr(1, raw.size() - 2)), true});
    } else {
      assert(raw.find_first_of("{}%") == std::string_view::npos &&
             "literal segments are plain text; labels span a whole segment");
      route.segments.push_back({std::string(raw), false});
    }
  }
#ifndef NDEBUG
  for (const Route& other : routes_) {
    bool same_shape =
        other.method == route.method && other.segments.size() == route.segments.size();
    for (std::size_t i = 0; same_shape && i < route.segments.size(); ++i) {
      const Segment& a = other.segments[i];
      const Segment& b = route.segments[i];
      same_shape = a.is_label == b.is_label && (a.is_label || a.text == b.text);
    }
    assert(!same_shape && "a route with this method and shape is already registered");
  }
#endif
  routes_.push_back(std::move(route));
}

bool Router::Matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.is_label ? segments[i].empty() : s.text != segments[i]) return false;
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  assert(a.segments.size() == b.segments.size());
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].is_label != b.segments[i].is_label) return !a.segments[i].is_label;
  }
  return false;
}

RouteMatch Router::Resolve(std::string_view method, std::string_view target) const {
  RouteMatch match;
  auto fail = [&](ErrorCode code, std::string message) {
    match.error = ApiError{code, std::move(message)};
    return std::move(match);
  };
  if (target.empty() || target.front() != '/') {
    return fail(ErrorCode::kInvalidParameterValue,
                "The request target must be an absolute path: " + std::string(target));
  }
  auto [raw_path, raw_query] = SplitTarget(target);
  match.path = std::string(raw_path);

  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(raw_path)) {
    auto decoded = PercentDecode(raw, /*plus_as_space=*/false);
    if (!decoded) {
      return fail(ErrorCode::kInvalidParameterValue,
                  "Malformed percent-encoding in path segment: " + std::string(raw));
    }
    segments.push_back(std::move(*decoded));
  }

  const Route* best = nullptr;            // most specific route for this method
  const Route* best_other = nullptr;      // most specific route for the path, any method
  std::vector<std::string_view> allowed;  // methods the path does accept, for the message
  for (const Route& route : routes_) {
    if (!Matches(route, segments)) continue;
    if (route.method == method) {
      if (!best || MoreSpecific(route, *best)) best = &route;
    } else {
      if (!best_other || MoreSpecific(route, *best_other)) best_other = &route;
      if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
        allowed.push_back(route.method);
      }
    }
  }
  if (!best && !best_other) {
    return fail(ErrorCode::kUnknownOperation,
                "No operation matches " + std::string(method) + " " + match.path);
  }
  if (!best) {
    std::string message = "Method " + std::string(method) + " is not allowed on " +
                          best_other->pattern + " (allowed:";
    for (std::string_view m : allowed)
      (message += ' ') += m;
    return fail(ErrorCode::kUnknownOperation, message + ")");
  }

  auto query = ParseQuery(raw_query);
  if (!query) {
    return fail(ErrorCode::kInvalidParameterValue,
                "Malformed percent-encoding in query string: " + std::string(raw_query));
  }
  match.query = std::move(*query);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i].is_label) {
      match.labels.emplace(best->segments[i].text, std::move(segments[i]));
    }
  }
  match.handler = &best->handler;
  match.max_body_bytes = best->options.max_body_bytes;
  if (best->options.on_body_too_large) match.on_body_too_large = &best->options.on_body_too_large;
  match.pattern = best->pattern;
  return match;
}

}  // namespace durafn::api
