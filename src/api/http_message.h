// The request and response a route handler sees: plain data, independent of Beast, so that
// the Lambda API handlers can be written and unit-tested without a socket.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/headers.h"

namespace durafn::api {

// Decoded query parameters. A multimap because restJson1 list members repeat the key
// (`Statuses=RUNNING&Statuses=FAILED`); equal keys keep their order of appearance.
using QueryParams = std::multimap<std::string, std::string, std::less<>>;

// Decoded values of a route's {Label} segments, by label name.
using PathLabels = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string method;  // as received ("POST"); HTTP methods are case-sensitive
  std::string target;  // raw request-target, e.g. "/a/b%2Fc?x=1"
  std::string path;    // raw (still percent-encoded) path part of `target`
  PathLabels labels;   // filled by the router from the matched pattern
  QueryParams query;   // filled by the router
  Headers headers;
  std::string body;        // bytes as received; never larger than the route's body limit
  std::string request_id;  // the X-Amzn-RequestId the response will carry

  // The decoded value of label `name`. The matched pattern guarantees that it exists;
  // asking for a label the pattern lacks is a programming error (asserted).
  const std::string& Label(std::string_view name) const;
  // The first value of query parameter `name`; nullopt when absent.
  std::optional<std::string_view> QueryValue(std::string_view name) const;
  // Every value of query parameter `name`, in order of appearance.
  std::vector<std::string_view> QueryValues(std::string_view name) const;
};

struct Response {
  int status = 200;  // 100..599
  Headers headers;   // Content-Length and Connection are set by the server
  std::string body;
};

}  // namespace durafn::api
