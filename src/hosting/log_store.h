// The function log store: receives worker log lines (LogSink), keeps them in their own SQLite
// file, and answers the queries behind the CloudWatch-Logs-compatible API.
//
// Writing: Append() only puts the record on a bounded in-memory queue; one writer thread
// drains it in batches, one transaction per batch. When the queue is full the record is
// dropped and counted (stats().dropped): a worker printing faster than the disk keeps up must
// never stall the pipe reader, and logs are not the durability-critical path (the file uses
// synchronous=NORMAL: a power loss may lose the last batches, never corrupt the file).
//
// Keeping: each log group is capped at `max_group_bytes` (CloudWatch's accounting: message
// bytes + 26 per event); past the cap the group's oldest events are evicted first, down to
// 90% of the cap so that eviction does not run on every batch. Streams left empty are removed.
// A message that is a JSON object is kept whole, with its level / requestId / executionArn
// extracted for filtering.
//
// Reading: queries run on the caller's thread with a pooled read-only connection (WAL lets
// them run while the writer commits). Every event has an id, increasing in ingestion order
// and never reused; results come in id order and pagination resumes from an id, so a reader
// that follows a group ("give me what is newer than id N") never misses or repeats an event.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hosting/log_sink.h"
#include "protocol/result.h"

namespace durafn::hosting {

struct LogStoreOptions {
  // Records waiting for the writer; Append drops (and counts) beyond this.
  std::size_t queue_capacity = 100'000;
  // Most records one write transaction takes.
  std::size_t max_batch = 4'096;
  // Once a record is queued the writer waits this long for more (unless a batch fills or
  // Flush asks). Lines are not fsynced one by one, so grouping them costs no durability,
  // and it saves most of the pages each small transaction would write again.
  std::chrono::milliseconds linger{20};
  // Stored bytes a log group may hold before its oldest events are evicted.
  int64_t max_group_bytes = 64LL * 1024 * 1024;
  // Longer messages are truncated (CloudWatch's limit on one event is 256 KiB).
  std::size_t max_message_bytes = 256 * 1024 - 26;
  // Ingestion time, in ms since the epoch; the system clock when null.
  std::function<int64_t()> clock;
};

// CloudWatch counts each event as its message's bytes plus this.
inline constexpr int64_t kLogEventOverheadBytes = 26;
// Bounds on one query's work and answer.
inline constexpr std::size_t kMaxLogQueryLimit = 10'000;
inline constexpr std::size_t kMaxLogPageBytes = 1024 * 1024;
// A query inspects at most this many events before answering with what it found so far and a
// resume point: a pattern that rarely matches cannot turn one request into a full scan.
inline constexpr std::size_t kMaxLogScanPerQuery = 50'000;
inline constexpr std::size_t kMaxLogStreamNamesPerQuery = 100;
inline constexpr std::size_t kMaxLogNameBytes = 512;

struct LogEvent {
  int64_t id = 0;  // ingestion order; unique and never reused
  std::string stream;
  int64_t timestamp_ms = 0;
  int64_t ingestion_ms = 0;
  std::string message;
  std::string request_id;             // empty when unknown
  std::string durable_execution_arn;  // empty when unknown
  std::string level;                  // from a JSON message's "level"; empty otherwise
};

struct LogQuery {
  std::string group;                      // required
  std::vector<std::string> streams;       // only these streams (at most 100); empty: all
  std::string stream_prefix;              // only streams whose name starts with this
  std::optional<int64_t> start_ms;        // timestamp >= start_ms
  std::optional<int64_t> end_ms;          // timestamp < end_ms
  std::string filter_pattern;             // see log_filter_pattern.h
  std::string request_id;                 // only lines printed for this invocation
  std::string durable_execution_arn;      // only lines printed for this execution
  int64_t after_id = 0;                   // only events with a larger id
  std::optional<int64_t> before_id;       // only events with a smaller id
  bool newest_first = false;              // descending id order
  std::size_t limit = kMaxLogQueryLimit;  // 1..kMaxLogQueryLimit
};

struct LogPage {
  std::vector<LogEvent> events;
  // False when more events may match: continue with after_id (before_id when newest_first)
  // set to resume_id.
  bool complete = true;
  int64_t resume_id = 0;
};

struct LogStreamInfo {
  std::string name;
  int64_t creation_ms = 0;
  int64_t first_event_ms = 0;
  int64_t last_event_ms = 0;
  int64_t last_ingestion_ms = 0;
  int64_t stored_bytes = 0;
};

struct LogGroupInfo {
  std::string name;
  int64_t creation_ms = 0;
  int64_t stored_bytes = 0;
  int64_t first_event_ms = 0;  // 0 when the group holds no event
  int64_t last_event_ms = 0;
};

enum class LogStreamOrder { kName, kLastEventTime };

struct LogStoreStats {
  uint64_t appended = 0;  // accepted onto the queue
  uint64_t dropped = 0;   // refused: queue full, store stopping, or no group/stream name
  uint64_t written = 0;   // committed to the file
  uint64_t evicted = 0;   // removed by the size cap
  std::size_t queued = 0;
};

class LogStore : public LogSink {
 public:
  // Opens (creating if needed) the log database at `path` and starts the writer thread.
  static Result<std::unique_ptr<LogStore>> Open(const std::string& path, LogStoreOptions options);
  // Writes what is still queued, then stops the writer.
  ~LogStore() override;
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Queues `record` without waiting on disk. Thread-safe. Records without a group or stream
  // name, or with names longer than kMaxLogNameBytes, are dropped and counted.
  void Append(LogRecord record) override;

  // Returns once every record appended before the call is written (or dropped).
  void Flush();

  // Waits until an event with an id greater than `after_id` is written or `timeout` passes;
  // returns the largest id written so far. For followers.
  int64_t WaitForNewer(int64_t after_id, std::chrono::milliseconds timeout);

  // Events of one group matching `query`, in id order (descending when newest_first), at most
  // query.limit of them and about kMaxLogPageBytes of messages. NotFound when the group does
  // not exist; InvalidArgument for a bad pattern or out-of-range limit.
  Result<LogPage> Query(const LogQuery& query);

  // Groups whose name starts with `prefix` and contains `contains` (ignoring ASCII case), by
  // name, from position `offset`, at most `limit`.
  Result<std::vector<LogGroupInfo>> ListGroups(const std::string& prefix,
                                               const std::string& contains, std::size_t offset,
                                               std::size_t limit);
  // Streams of `group` whose name starts with `prefix`, in `order`, from position `offset`, at
  // most `limit`. NotFound when the group does not exist.
  Result<std::vector<LogStreamInfo>> ListStreams(const std::string& group,
                                                 const std::string& prefix, LogStreamOrder order,
                                                 bool descending, std::size_t offset,
                                                 std::size_t limit);

  LogStoreStats stats() const;

 private:
  struct Writer;
  struct Reader;
  LogStore(LogStoreOptions options, std::unique_ptr<Writer> writer, std::unique_ptr<Reader> reader);
  void WriterLoop();

  const LogStoreOptions options_;
  std::unique_ptr<Writer> writer_;  // used by the writer thread only
  std::unique_ptr<Reader> reader_;

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;    // the writer waits for records
  std::condition_variable written_cv_;  // Flush and WaitForNewer wait for commits
  std::deque<LogRecord> queue_;
  bool stopping_ = false;
  int flushes_waiting_ = 0;  // Flush calls in progress: the writer does not linger
  uint64_t appended_ = 0;
  uint64_t dropped_ = 0;
  uint64_t done_ = 0;  // records taken off the queue and written (or failed to write)
  uint64_t written_ = 0;
  uint64_t evicted_ = 0;
  int64_t last_id_ = 0;
  std::thread thread_;
};

}  // namespace durafn::hosting
