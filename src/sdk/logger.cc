#include "durafn/logger.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "protocol/timestamp.h"
#include "sdk/log_fields.h"

namespace durafn {

namespace {

struct GlobalLogging {
  std::mutex mu;
  LoggingConfig config;
  bool env_read = false;
};

GlobalLogging& Global() {
  static GlobalLogging g;
  return g;
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

void ReadEnvLevel(LoggingConfig& c) {
  const char* env = std::getenv("AWS_LAMBDA_LOG_LEVEL");
  if (!env) return;
  std::string v = env;
  for (auto& ch : v)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (v == "DEBUG" || v == "TRACE") c.min_level = LogLevel::kDebug;
  if (v == "INFO") c.min_level = LogLevel::kInfo;
  if (v == "WARN") c.min_level = LogLevel::kWarn;
  if (v == "ERROR" || v == "FATAL") c.min_level = LogLevel::kError;
}

}  // namespace

void configure_logging(LoggingConfig config) {
  auto& g = Global();
  std::lock_guard lock(g.mu);
  g.config = std::move(config);
  ReadEnvLevel(g.config);
  g.env_read = true;
}

void Logger::log(LogLevel level, std::string_view message, const nlohmann::json& extra) const {
  auto& g = Global();
  LogSink sink;
  {
    std::lock_guard lock(g.mu);
    if (!g.env_read) {
      ReadEnvLevel(g.config);
      g.env_read = true;
    }
    if (level < g.config.min_level) return;
    if (fields_ && fields_->replay_aware && fields_->state && fields_->state->replaying() &&
        g.config.suppress_during_replay) {
      return;
    }
    sink = g.config.sink;
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  nlohmann::json record = {
      {"timestamp", protocol::FormatIso8601(protocol::Timestamp::FromMillis(now))},
      {"level", LevelName(level)}};
  if (fields_ && fields_->state) {
    record["requestId"] = fields_->state->lambda().request_id;
    record["executionArn"] = fields_->state->arn();
  }
  if (fields_) {
    if (fields_->operation_id) record["operationId"] = *fields_->operation_id;
    if (fields_->operation_name) record["operationName"] = *fields_->operation_name;
    if (fields_->attempt) record["attempt"] = *fields_->attempt;
  }
  record["message"] = std::string(message);
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it)
      record[it.key()] = it.value();
  } else if (!extra.is_null()) {
    record["data"] = extra;
  }
  if (sink) {
    sink(record);
    return;
  }
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard lock(g.mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace durafn
