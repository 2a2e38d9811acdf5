#include "durafn/runtime.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "protocol/json_codec.h"
#include "protocol/operation_id.h"
#include "sdk/context_impl.h"
#include "sdk/http_connection.h"
#include "sdk/invocation.h"

namespace durafn {

int64_t LambdaContext::remaining_time_ms() const {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return deadline_ms > now ? deadline_ms - now : 0;
}

namespace sdk {

namespace {

protocol::InvocationOutput Failed(const ErrorInfo& info) {
  protocol::InvocationOutput out;
  out.status = protocol::InvocationStatus::kFailed;
  out.error = ToErrorObject(info);
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

protocol::InvocationOutput RunDurableInvocation(const nlohmann::json& event,
                                                const DurableHandler& handler,
                                                DurableClient& client,
                                                const LambdaContext& lambda) {
  if (!event.is_object() || !event.contains("DurableExecutionArn") ||
      !event.contains("CheckpointToken")) {
    throw InvocationError("Runtime.UnexpectedPayload",
                          "Unexpected payload provided to start the durable execution. Check "
                          "that durable execution is configured for this function.");
  }
  auto decoded =
      protocol::Decode<protocol::InvocationEnvelope>(event, protocol::TimeFormat::kEpochMillis);
  if (!decoded.ok()) {
    throw InvocationError("Runtime.UnexpectedPayload",
                          "Malformed durable invocation envelope: " + decoded.status().message());
  }
  protocol::InvocationEnvelope& env = *decoded;
  std::vector<protocol::Operation> ops = std::move(env.initial_execution_state.operations);
  std::string marker = env.initial_execution_state.next_marker.value_or("");
  try {
    for (int pages = 0; !marker.empty(); ++pages) {
      if (pages > 100000) throw InvocationError("Runtime.StateError", "too many state pages");
      auto page = client.GetState(env.durable_execution_arn, env.checkpoint_token, marker);
      for (auto& op : page.operations)
        ops.push_back(std::move(op));
      marker = page.next_marker.value_or("");
    }
  } catch (const ServiceError& e) {
    if (e.invocation_level()) throw InvocationError(e.code(), e.what());
    return Failed(ErrorInfo{e.code(), e.what(), {}, {}});
  }
  if (ops.empty() || ops.front().type != protocol::OperationType::kExecution) {
    throw InvocationError("Runtime.UnexpectedPayload",
                          "the envelope's first operation is not the EXECUTION operation");
  }
  nlohmann::json input = nlohmann::json::object();
  if (const auto& d = ops.front().execution_details;
      d && d->input_payload && !d->input_payload->empty()) {
    input = nlohmann::json::parse(*d->input_payload, nullptr, false);
    if (input.is_discarded()) {
      return Failed(ErrorInfo{"SyntaxError", "the execution input is not valid JSON", {}, {}});
    }
  }
  auto state = std::make_shared<ExecutionState>(env.durable_execution_arn, env.checkpoint_token,
                                                std::move(ops), client, lambda);
  auto root = std::make_shared<ContextImpl>();
  root->state = state;
  root->suspended = std::make_shared<std::atomic<bool>>(false);
  DurableContext ctx(root);

  enum class Outcome { kValue, kSuspended, kError } outcome = Outcome::kValue;
  nlohmann::json value;
  ErrorInfo error;
  try {
    value = handler(input, ctx);
    if (root->suspended->load()) {
      error = ErrorInfo{"SuspensionSwallowedError",
                        "the handler returned after a durable operation suspended it: a catch "
                        "(...) block swallowed the SDK's suspension signal; rethrow it with "
                        "`throw;`",
                        {},
                        {}};
      outcome = Outcome::kError;
    }
  } catch (const Suspend&) {
    outcome = Outcome::kSuspended;
  } catch (const CheckpointFailure& f) {
    if (f.error.invocation_level()) throw InvocationError(f.error.code(), f.error.what());
    return Failed(ErrorInfo{f.error.code(), f.error.what(), {}, {}});
  } catch (...) {
    error = ErrorInfoFromException(std::current_exception());
    outcome = Outcome::kError;
  }
  if (auto fatal = state->fatal()) {
    outcome = Outcome::kError;
    error = *fatal;
  }
  protocol::InvocationOutput out;
  try {
    if (outcome == Outcome::kValue) {
      std::optional<std::string> text;
      if (!value.is_discarded()) text = value.dump();
      if (text && text->size() > kMaxInlineResultBytes) {
        protocol::OperationUpdate u;
        u.id = protocol::ExecutionResultOperationId(NowMs());
        u.type = protocol::OperationType::kExecution;
        u.action = protocol::OperationAction::kSucceed;
        u.payload = std::move(text);
        state->Enqueue(std::move(u));
        text = std::string();
      }
      state->Flush();
      out.status = protocol::InvocationStatus::kSucceeded;
      out.result = std::move(text);
    } else if (outcome == Outcome::kSuspended) {
      state->Flush();
      out.status = protocol::InvocationStatus::kPending;
    } else {
      state->Flush();
      out = Failed(error);
    }
  } catch (const CheckpointFailure& f) {
    if (f.error.invocation_level()) throw InvocationError(f.error.code(), f.error.what());
    return Failed(ErrorInfo{f.error.code(), f.error.what(), {}, {}});
  }
  return out;
}

}  // namespace sdk

namespace {

using sdk::Endpoint;
using sdk::HttpConnection;
using sdk::HttpResult;

constexpr const char* kRuntimePrefix = "/2018-06-01/runtime";

struct RuntimeLoop {
  HttpConnection conn;
  explicit RuntimeLoop(Endpoint e) : conn(std::move(e)) {}

  // Blocks for the next invocation. Returns false when the Runtime API is gone.
  bool Next(LambdaContext& lc, std::string& body) {
    HttpResult r;
    try {
      r = conn.Send("GET", std::string(kRuntimePrefix) + "/invocation/next", {}, {},
                    std::chrono::milliseconds{0});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "durafn: runtime API unreachable: %s\n", e.what());
      return false;
    }
    if (r.status != 200) {
      std::fprintf(stderr, "durafn: runtime API answered %d to /next\n", r.status);
      return false;
    }
    lc = LambdaContext{};
    lc.request_id = r.header("lambda-runtime-aws-request-id");
    lc.invoked_function_arn = r.header("lambda-runtime-invoked-function-arn");
    lc.trace_id = r.header("lambda-runtime-trace-id");
    std::string deadline = r.header("lambda-runtime-deadline-ms");
    lc.deadline_ms = deadline.empty() ? 0 : std::strtoll(deadline.c_str(), nullptr, 10);
    body = std::move(r.body);
    return true;
  }

  void Respond(const std::string& request_id, const std::string& body) {
    conn.Send("POST", std::string(kRuntimePrefix) + "/invocation/" + request_id + "/response", body,
              {{"Content-Type", "application/json"}});
  }

  void Error(const std::string& request_id, const std::string& type, const std::string& message) {
    nlohmann::json body = {
        {"errorType", type}, {"errorMessage", message}, {"stackTrace", nlohmann::json::array()}};
    conn.Send("POST", std::string(kRuntimePrefix) + "/invocation/" + request_id + "/error",
              body.dump(),
              {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", type}});
  }

  void InitError(const std::string& type, const std::string& message) {
    nlohmann::json body = {{"errorType", type}, {"errorMessage", message}};
    try {
      conn.Send(
          "POST", std::string(kRuntimePrefix) + "/init/error", body.dump(),
          {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", type}});
    } catch (const std::exception&) {
    }
  }
};

std::optional<Endpoint> RuntimeEndpoint() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api) {
    std::fprintf(stderr, "durafn: AWS_LAMBDA_RUNTIME_API is not set\n");
    return std::nullopt;
  }
  auto e = Endpoint::Parse(api);
  if (!e) std::fprintf(stderr, "durafn: bad AWS_LAMBDA_RUNTIME_API '%s'\n", api);
  return e;
}

}  // namespace

int run(const DurableHandler& handler, const RunOptions& options) {
  auto runtime_endpoint = RuntimeEndpoint();
  if (!runtime_endpoint) return 2;
  RuntimeLoop loop(*runtime_endpoint);
  std::string lambda_url = options.lambda_endpoint;
  if (lambda_url.empty()) {
    const char* a = std::getenv("AWS_ENDPOINT_URL_LAMBDA");
    const char* b = std::getenv("AWS_ENDPOINT_URL");
    lambda_url = a && *a ? a : (b && *b ? b : "");
  }
  auto lambda_endpoint = Endpoint::Parse(lambda_url);
  if (!lambda_endpoint) {
    loop.InitError("Runtime.InvalidConfiguration",
                   "set AWS_ENDPOINT_URL_LAMBDA to the durable API endpoint (http://host:port)");
    return 2;
  }
  sdk::HttpDurableClient client(*lambda_endpoint);
  LambdaContext lc;
  std::string body;
  while (loop.Next(lc, body)) {
    try {
      nlohmann::json event = nlohmann::json::parse(body, nullptr, false);
      try {
        protocol::InvocationOutput out = sdk::RunDurableInvocation(event, handler, client, lc);
        loop.Respond(lc.request_id, protocol::Encode(out).dump());
      } catch (const sdk::InvocationError& e) {
        loop.Error(lc.request_id, e.type(), e.what());
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "durafn: runtime API exchange failed: %s\n", e.what());
      return 1;
    }
  }
  return 1;
}

int run_plain(const PlainHandler& handler) {
  auto runtime_endpoint = RuntimeEndpoint();
  if (!runtime_endpoint) return 2;
  RuntimeLoop loop(*runtime_endpoint);
  LambdaContext lc;
  std::string body;
  while (loop.Next(lc, body)) {
    try {
      nlohmann::json event =
          body.empty() ? nlohmann::json() : nlohmann::json::parse(body, nullptr, false);
      try {
        if (event.is_discarded()) throw std::invalid_argument("the event is not valid JSON");
        nlohmann::json result = handler(event, lc);
        loop.Respond(lc.request_id, result.is_discarded() ? "null" : result.dump());
      } catch (...) {
        ErrorInfo info = ErrorInfoFromException(std::current_exception());
        loop.Error(lc.request_id, info.type, info.message);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "durafn: runtime API exchange failed: %s\n", e.what());
      return 1;
    }
  }
  return 1;
}

}  // namespace durafn
