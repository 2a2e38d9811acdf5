// Interpreting the request-target: splitting the raw path into segments, percent-decoding one
// component, and parsing the query string. Lambda puts ARNs (which contain '/') into a single
// path segment as %2F, so the path is split on the raw '/' first and each segment decoded
// afterwards (protocol.md §0.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"

namespace durafn::api {

// The path and query parts of an origin-form target ("/p?q"); the query excludes the '?'
// and is empty when absent. A fragment, which clients never send, is not treated specially.
struct TargetParts {
  std::string_view path;
  std::string_view query;
};
TargetParts SplitTarget(std::string_view target);

// The raw segments of an absolute path: "/a/b%2Fc" -> {"a", "b%2Fc"}; "/" -> {""};
// "/a/" -> {"a", ""}. Requires path to start with '/'.
std::vector<std::string_view> SplitPath(std::string_view path);

// Decodes the %XX escapes of one URI component. With `plus_as_space` (form encoding, used
// by query strings only) '+' decodes to ' '; in paths '+' is literal. Returns nullopt for a
// truncated or non-hexadecimal escape.
std::optional<std::string> PercentDecode(std::string_view component, bool plus_as_space);

// Encodes every byte outside RFC 3986's unreserved set as %XX (upper-case hex), as AWS SDKs
// encode URI labels. For building targets in clients and tests.
std::string PercentEncode(std::string_view component);

// Parses "a=1&b=x%20y&a=2" into a multimap; '+' means space. A key without '=' gets an
// empty value and empty pieces ("a=1&&b=2") are skipped. nullopt on malformed escapes.
std::optional<QueryParams> ParseQuery(std::string_view query);

}  // namespace durafn::api
