// Order enricher: the plain (non-durable) function the durable order processor invokes.
// Returns {"statusCode": 200, "orderId", "enrichedData": {"customerId": "CUST-dddd",
// "timestamp"}}.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "durafn/durafn.h"

namespace {

using nlohmann::json;

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

std::string CustomerId() {
  thread_local std::mt19937 rng{std::random_device{}()};
  char buf[16];
  std::snprintf(buf, sizeof buf, "CUST-%04d", std::uniform_int_distribution<int>(0, 9999)(rng));
  return buf;
}

}  // namespace

int main() {
  return durafn::run_plain([](const json& event, const durafn::LambdaContext& lc) {
    std::string order_id =
        event.is_object() ? event.value("orderId", std::string()) : std::string();
    json result = {{"statusCode", 200},
                   {"orderId", order_id},
                   {"enrichedData", {{"customerId", CustomerId()}, {"timestamp", NowIso()}}}};
    durafn::Logger().info("Order enriched", {{"requestId", lc.request_id},
                                             {"orderId", order_id},
                                             {"remainingTimeMs", lc.remaining_time_ms()}});
    return result;
  });
}
