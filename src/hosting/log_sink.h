// Where worker output goes: hosting writes each line a worker prints (and the START / END /
// REPORT lines it writes itself) to a LogSink; the log store implements it.
#pragma once

#include <cstdint>
#include <string>

namespace durafn::hosting {

// One line of a function's log, as CloudWatch Logs would hold it.
struct LogRecord {
  std::string group;   // "/aws/lambda/NAME"
  std::string stream;  // one per worker process, Lambda-style "YYYY/MM/DD/[VERSION]id"
  int64_t timestamp_ms = 0;
  std::string message;  // the line without its trailing newline
  // The invocation the worker was running when it printed the line, if any.
  std::string request_id;
  std::string durable_execution_arn;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Takes one record. Never blocks on disk for long: implementations buffer and bound.
  virtual void Append(LogRecord record) = 0;
};

}  // namespace durafn::hosting
