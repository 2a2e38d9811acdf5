// ExecutionStore on one SQLite file (WAL): group-committed writes, pooled readers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "store/execution_store.h"
#include "store/group_commit.h"
#include "store/read_pool.h"
#include "store/save_log.h"
#include "store/sqlite.h"

namespace durafn::store {

class SqliteExecutionStore final : public ExecutionStore {
 public:
  // The database file inside the data directory.
  static constexpr std::string_view kDatabaseFileName = "durafn.db";

  struct Options {
    // Batch cap and queue bound of the single writer (queue full: writes are refused with
    // ResourceExhausted, which the API reports as TooManyRequestsException).
    GroupCommitWriter::Options writer;
    // FULL: a commit is acknowledged only after fsync (power-loss safe). NORMAL is for
    // tests and benchmarks that accept losing the last commits on power loss.
    bool synchronous_full = true;
    // Zeroed WAL space written at open (see Database::Options::wal_reserve_bytes): about four
    // automatic checkpoints' worth of log, so commits overwrite instead of appending.
    int64_t wal_reserve_bytes = 16 << 20;
    // Idle read connections kept between queries.
    std::size_t max_idle_readers = 8;
    // Unsettled saves the save log holds before the writer settles the oldest executions'
    // into the tables; one execution's are settled at a quarter of this (see save_log.h).
    // Larger shares more pages per settled execution, and makes the settling commit longer.
    std::size_t settle_after = 1024;
  };

  // Opens the store in `data_dir` (created if missing), creating or migrating the database.
  // FailedPrecondition if the database was written by a newer schema version.
  static Result<std::unique_ptr<SqliteExecutionStore>> Open(const std::filesystem::path& data_dir,
                                                            const Options& options);
  static Result<std::unique_ptr<SqliteExecutionStore>> Open(const std::filesystem::path& data_dir) {
    return Open(data_dir, Options{});
  }

  // Commits every accepted write (calling its callback) before returning.
  ~SqliteExecutionStore() override = default;

  [[nodiscard]] Status Create(const engine::ExecutionState& state, const engine::Outcome& outcome,
                              Done done) override;
  [[nodiscard]] Status Save(const engine::ExecutionState& state, const engine::Outcome& outcome,
                            int64_t saved_change_counter, Done done) override;
  [[nodiscard]] Status SaveTimerFired(const TimerRow& fired, const engine::ExecutionState& state,
                                      const engine::Outcome& outcome, int64_t saved_change_counter,
                                      Done done) override;
  [[nodiscard]] Status ReplaceEvent(const engine::ExecutionState& state,
                                    const protocol::Event& event, Done done) override;
  [[nodiscard]] Status PurgeExpired(protocol::Timestamp now, int64_t limit,
                                    PurgeDone done) override;

  Result<std::optional<engine::ExecutionState>> Load(std::string_view arn) override;
  Result<std::optional<engine::ExecutionRecord>> LoadRecord(std::string_view arn) override;
  Result<std::optional<std::string>> FindByName(std::string_view function_arn,
                                                std::string_view name) override;
  Result<protocol::GetDurableExecutionHistoryResponse> History(std::string_view arn,
                                                               const HistoryQuery& query) override;
  Result<protocol::ListDurableExecutionsByFunctionResponse> List(const ListQuery& query) override;
  Result<std::vector<TimerRow>> TimersDue(protocol::Timestamp from, protocol::Timestamp to,
                                          int64_t limit) override;
  Result<std::vector<std::string>> RecoverableExecutions() override;
  Result<std::vector<ChainedInvokeKey>> PendingChainedInvokes() override;
  Result<StatusCounts> CountByStatus() override;

  // Commits and batch sizes so far (how well group commit shares fsyncs).
  GroupCommitStats writer_stats() const { return writer_.stats(); }
  const GroupCommitWriter& writer() const { return writer_; }

 private:
  SqliteExecutionStore(const std::string& path, Database writer_db, const Options& options);

  // Runs `work` as one job of the writer; a failed job leaves the save log's cache unsure.
  Status SubmitWrite(std::function<Status(Database&)> work, Done done);

  ReadPool readers_;
  SaveLog log_;  // the writer thread's only
  // Last, so it is destroyed first: pending writes finish while the rest still exists.
  GroupCommitWriter writer_;
};

}  // namespace durafn::store
