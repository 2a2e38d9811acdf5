#include "api/metrics.h"

#include <sstream>

#include "protocol/enums.h"

namespace durafn::api {

namespace {

void Line(std::ostringstream& out, const char* type, const char* name, const char* help,
          double value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value << '\n';
}

}  // namespace

std::string RenderMetrics(const MetricsSources& m) {
  std::ostringstream out;
  const auto s = m.service.stats();
  const auto w = m.writer.stats();
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  Line(out, "counter", "durafn_checkpoints_total", "Checkpoints accepted by the engine.",
       d(s.checkpoints));
  Line(out, "counter", "durafn_invocations_started_total", "Invocations handed to workers.",
       d(s.invocations_started));
  Line(out, "gauge", "durafn_invocations_queued", "Invocations waiting for a worker.",
       d(m.invocations_queued));
  Line(out, "counter", "durafn_timers_fired_total", "Durable timers fired.", d(s.timers_fired));
  Line(out, "counter", "durafn_executions_started_total", "Durable executions started.",
       d(s.executions_started));
  Line(out, "gauge", "durafn_timers_in_memory",
       "Timers due within the in-memory horizon (the rest wait in the store).",
       d(s.timers_in_memory));
  Line(out, "gauge", "durafn_executions_cached", "Durable executions held in memory.",
       d(s.executions_cached));
  Line(out, "counter", "durafn_execution_cache_idle_evictions_total",
       "Idle executions dropped from memory (reloaded from the store when they resume).",
       d(s.idle_evictions));
  Line(out, "counter", "durafn_background_retries_total",
       "Timer firings, invocation starts and chained results retried after a refused or "
       "failed store write (rising steadily: the store keeps failing).",
       d(s.retries));
  Line(out, "counter", "durafn_background_retries_dropped_total",
       "Such retries not queued (too many waiting); the next start recovers them.",
       d(s.retries_dropped));
  Line(out, "counter", "durafn_store_commits_total", "Store commits (one fsync each).",
       d(w.commits));
  Line(out, "counter", "durafn_store_transactions_total",
       "Transactions committed; over commits, the mean group-commit batch.", d(w.transactions));
  Line(out, "counter", "durafn_store_rejected_total",
       "Transactions refused because the write queue was full.", d(w.rejected));
  Line(out, "counter", "durafn_log_records_written_total", "Function log lines committed.",
       d(m.logs.written));
  Line(out, "counter", "durafn_log_records_dropped_total",
       "Function log lines lost to a full queue or a failed write.", d(m.logs.dropped));
  Line(out, "counter", "durafn_log_records_evicted_total",
       "Function log lines evicted by a log group's size cap.", d(m.logs.evicted));
  if (m.by_status) {
    out << "# HELP durafn_executions Durable executions in the store by status.\n"
        << "# TYPE durafn_executions gauge\n";
    for (auto status : {protocol::ExecutionStatus::kRunning, protocol::ExecutionStatus::kSucceeded,
                        protocol::ExecutionStatus::kFailed, protocol::ExecutionStatus::kTimedOut,
                        protocol::ExecutionStatus::kStopped}) {
      out << "durafn_executions{status=\"" << protocol::ToString(status) << "\"} "
          << (*m.by_status)[status] << '\n';
    }
  }
  m.service.checkpoint_seconds().Render(out, "durafn_checkpoint_seconds",
                                        "Checkpoint arrival to durable commit.");
  m.writer.commit_seconds().Render(out, "durafn_store_commit_seconds",
                                   "One group commit, BEGIN to durable COMMIT.");
  m.writer.batch_sizes().Render(out, "durafn_store_commit_batch_size",
                                "Transactions per group commit.");
  return out.str();
}

}  // namespace durafn::api
