// Structured JSON logging for durable handlers: one JSON object per line with timestamp,
// level, requestId, executionArn, operationId/operationName/attempt when inside an operation,
// and the message. Replay-aware: records made while the handler replays completed work are
// dropped by default, so each line appears once per execution.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace durafn {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Receives each finished record. The default writes the JSON to stdout, one line per record.
using LogSink = std::function<void(const nlohmann::json& record)>;

struct LogFields;  // the context a Logger stamps on its records (internal)

class Logger {
 public:
  Logger() = default;
  explicit Logger(std::shared_ptr<const LogFields> fields) : fields_(std::move(fields)) {}

  // Emits a record at `level` with `message`; members of `extra` (an object) are merged in.
  void log(LogLevel level, std::string_view message, const nlohmann::json& extra = {}) const;
  void debug(std::string_view m, const nlohmann::json& extra = {}) const {
    log(LogLevel::kDebug, m, extra);
  }
  void info(std::string_view m, const nlohmann::json& extra = {}) const {
    log(LogLevel::kInfo, m, extra);
  }
  void warn(std::string_view m, const nlohmann::json& extra = {}) const {
    log(LogLevel::kWarn, m, extra);
  }
  void error(std::string_view m, const nlohmann::json& extra = {}) const {
    log(LogLevel::kError, m, extra);
  }

 private:
  std::shared_ptr<const LogFields> fields_;
};

struct LoggingConfig {
  LogSink sink;                           // null: JSON lines on stdout
  LogLevel min_level = LogLevel::kDebug;  // AWS_LAMBDA_LOG_LEVEL overrides it when set
  bool suppress_during_replay = true;
};

// Replaces the process-wide logging configuration (call before durafn::run).
void configure_logging(LoggingConfig config);

}  // namespace durafn
