// Durable order processor: AWS's "Lambda Durable Functions with Node.js" order sample written
// with the durafn C++ SDK. Validates the order, enriches it by invoking the OrderEnricher
// function inside a step, waits two seconds without holding the worker (payload field
// `waitSeconds` overrides the two seconds), then finalizes it.
// Each stage logs a structured JSON line with the invocation's remaining time.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "durafn/durafn.h"

namespace {

using nlohmann::json;

// The enricher answered with a function error; the step's retry strategy decides what next.
struct EnrichmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string NowIso() {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

json ProcessOrder(const json& event, durafn::DurableContext& ctx) {
  const durafn::Logger log = ctx.logger();
  auto remaining = [&] { return ctx.lambda_context().remaining_time_ms(); };
  log.info("Starting durable order processing",
           {{"event", event}, {"remainingTimeMs", remaining()}});

  if (!event.is_object() || !event.contains("orderId") || !event["orderId"].is_string() ||
      event["orderId"].get<std::string>().empty()) {
    log.error("Order validation failed: orderId is required", {{"remainingTimeMs", remaining()}});
    return {{"success", false},
            {"error", {{"message", "orderId is required"}, {"name", "ValidationError"}}}};
  }
  const std::string order_id = event["orderId"];
  const std::string enricher = event.value("nodejsLambdaArn", std::string("OrderEnricher"));

  json enrichment = ctx.step("enrich-order", [&](durafn::StepContext& step) {
    step.logger().info(
        "Invoking order enricher",
        {{"orderId", order_id}, {"functionName", enricher}, {"remainingTimeMs", remaining()}});
    durafn::LambdaClient lambda;
    durafn::InvokeResult r = lambda.invoke(enricher, {{"orderId", order_id}});
    if (r.function_error) throw EnrichmentError("OrderEnricher failed: " + r.payload);
    json result = r.json();
    step.logger().info("Order enriched", {{"orderId", order_id}, {"enrichmentResult", result}});
    return result;
  });
  log.info("Enrichment complete, waiting before finalizing",
           {{"orderId", order_id}, {"remainingTimeMs", remaining()}});

  // The sample waits two seconds; `waitSeconds` overrides it (0: no wait, as benchmarks use).
  const int64_t wait_seconds =
      event.contains("waitSeconds") && event["waitSeconds"].is_number_integer()
          ? event["waitSeconds"].get<int64_t>()
          : 2;
  if (wait_seconds > 0) {
    ctx.wait(durafn::seconds(wait_seconds));
    log.info("Wait complete, finalizing order",
             {{"orderId", order_id}, {"remainingTimeMs", remaining()}});
  }

  json final_result = ctx.step("finalize-order", [&](durafn::StepContext& step) {
    step.logger().info("Finalizing order", {{"orderId", order_id}});
    return json{{"orderId", order_id},
                {"status", "COMPLETED"},
                {"enrichedData", enrichment.value("enrichedData", json::object())},
                {"finalizedAt", NowIso()},
                {"message", "Order finalized successfully"}};
  });

  log.info("Order processing completed", {{"orderId", order_id}, {"remainingTimeMs", remaining()}});
  return {{"success", true},
          {"orderId", order_id},
          {"enrichmentResult", enrichment},
          {"finalResult", final_result},
          {"message", "Order processed successfully with durable execution"},
          {"processedAt", NowIso()}};
}

}  // namespace

int main() {
  return durafn::run(ProcessOrder);
}
