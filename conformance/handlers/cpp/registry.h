// Conformance handlers, registered by requirement id ("1-1", "5-3"). One function binary serves
// every handler; a function's Handler property (the _HANDLER variable) names the one it runs,
// so the runner deploys the same code once per requirement.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "durafn/runtime.h"

namespace conformance {

// Registers a durable handler under `id`. Called from static initialisers (see
// CONFORMANCE_DURABLE); a duplicate id aborts at start-up.
bool register_durable(std::string id, durafn::DurableHandler handler);

// Registers a plain (non-durable) handler, e.g. the targets the invoke suite calls.
bool register_plain(std::string id, durafn::PlainHandler handler);

// Declares that requirement `id` has no handler, and why (reported as NOT_IMPLEMENTED with
// `reason`, which must say what is missing for a user to judge it).
bool register_not_implemented(std::string id, std::string reason);

// The handler registered under `id`, or null.
const durafn::DurableHandler* find_durable(std::string_view id);
const durafn::PlainHandler* find_plain(std::string_view id);

// The name the runner deploys handler `id` under: $CONFORMANCE_FUNCTION_PREFIX (set by the
// runner; default "conformance-") + id. Handlers that invoke
// another registered handler (the invoke suite's targets) call it by this name; a durable
// target needs a qualifier, e.g. function_name("x") + ":$LATEST".
std::string function_name(std::string_view id);

// Every registered id, durable ones first, each list sorted.
std::vector<std::string> durable_ids();
std::vector<std::string> plain_ids();
// Every id declared not implemented, with its reason, sorted by id.
std::vector<std::pair<std::string, std::string>> not_implemented();

}  // namespace conformance

#define CONFORMANCE_CONCAT_INNER(a, b) a##b
#define CONFORMANCE_CONCAT(a, b) CONFORMANCE_CONCAT_INNER(a, b)

// CONFORMANCE_DURABLE("1-1", [](const nlohmann::json& event, durafn::DurableContext& ctx) {...});
#define CONFORMANCE_DURABLE(id, ...)                                             \
  [[maybe_unused]] static const bool CONFORMANCE_CONCAT(registered_, __LINE__) = \
      ::conformance::register_durable(id, __VA_ARGS__)

// CONFORMANCE_PLAIN("echo", [](const nlohmann::json& event, const durafn::LambdaContext&) {...});
// CONFORMANCE_NOT_IMPLEMENTED("1-7", "why");
#define CONFORMANCE_NOT_IMPLEMENTED(id, reason)                                  \
  [[maybe_unused]] static const bool CONFORMANCE_CONCAT(registered_, __LINE__) = \
      ::conformance::register_not_implemented(id, reason)

#define CONFORMANCE_PLAIN(id, ...)                                               \
  [[maybe_unused]] static const bool CONFORMANCE_CONCAT(registered_, __LINE__) = \
      ::conformance::register_plain(id, __VA_ARGS__)
