// The server's /metrics page in Prometheus' text exposition format.
#pragma once

#include <optional>
#include <string>

#include "api/execution_service.h"
#include "hosting/log_store.h"
#include "store/group_commit.h"

namespace durafn::api {

// What one scrape reads. `by_status` is absent when the store could not count.
struct MetricsSources {
  const ExecutionService& service;
  const store::GroupCommitWriter& writer;
  std::optional<store::StatusCounts> by_status;
  hosting::LogStoreStats logs;
  std::size_t invocations_queued = 0;  // waiting for a worker
};

// Renders counters, gauges and histograms of the checkpoint path, invocations and timers.
std::string RenderMetrics(const MetricsSources& sources);

}  // namespace durafn::api
