// The N-step durable function of the benchmarks: `steps` sequential steps (each checkpointed
// before the next starts), then an optional durable wait, then it answers with the wall
// clock time after the wait, so a benchmark can time a resume (state fetch + replay).
// Input: {"steps": N, "waitSeconds": S}; output: {"steps": N, "resumedAtMs": ...}.
#include <chrono>
#include <cstdint>

#include "durafn/durafn.h"

int main() {
  return durafn::run([](const nlohmann::json& event, durafn::DurableContext& ctx) {
    const int64_t steps = event.value("steps", int64_t{0});
    const int64_t wait_seconds = event.value("waitSeconds", int64_t{0});
    int64_t sum = 0;
    for (int64_t i = 0; i < steps; ++i)
      sum += ctx.step("s", [i](durafn::StepContext&) -> int64_t { return i; });
    if (wait_seconds > 0) ctx.wait(durafn::seconds(wait_seconds));
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    return nlohmann::json{{"steps", steps}, {"sum", sum}, {"resumedAtMs", now_ms}};
  });
}
