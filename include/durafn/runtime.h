// The Lambda Runtime API loop: durafn::run for durable handlers, durafn::run_plain for plain
// ones. Both read AWS_LAMBDA_RUNTIME_API, poll /2018-06-01/runtime/invocation/next, answer
// with /response or /error, and never return unless the Runtime API goes away.
#pragma once

#include <functional>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "durafn/durable_context.h"
#include "durafn/lambda_context.h"

namespace durafn {

using DurableHandler = std::function<nlohmann::json(const nlohmann::json& event, DurableContext&)>;
using PlainHandler =
    std::function<nlohmann::json(const nlohmann::json& event, const LambdaContext&)>;

struct RunOptions {
  // Durable API endpoint; empty: AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL.
  std::string lambda_endpoint;
};

// Serves durable invocations forever: decodes each envelope, runs `handler` with replay and
// checkpointing, and returns {Status, Result|Error} as AWS's SDK does. Returns a non-zero
// exit code only when the Runtime API is unusable.
int run(const DurableHandler& handler, const RunOptions& options = {});

// Typed form: In and Out convert with nlohmann's from_json/to_json.
template <class In, class Out>
int run(std::function<Out(const In&, DurableContext&)> handler, const RunOptions& options = {}) {
  return run(DurableHandler([handler](const nlohmann::json& e, DurableContext& c) {
               return nlohmann::json(handler(e.template get<In>(), c));
             }),
             options);
}

// Serves plain (non-durable) invocations forever; an exception becomes a function error.
int run_plain(const PlainHandler& handler);

}  // namespace durafn
