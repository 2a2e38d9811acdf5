// The server's own log lines (startup, shutdown, errors) as text or JSON, filtered by level.
// Function logs are a different thing: they go to the log store, not here.
#pragma once

#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/timestamp.h"

namespace durafn::api {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// "debug", "info", "warn" or "error"; nullopt for anything else.
inline std::optional<LogLevel> ParseLogLevel(std::string_view s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return std::nullopt;
}

// "text" or "json"; nullopt for anything else.
inline std::optional<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "text") return LogFormat::kText;
  if (s == "json") return LogFormat::kJson;
  return std::nullopt;
}

inline std::string_view ToString(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Writes one line per message to `out` (flushed, so a supervisor reading a pipe sees it at
// once). Thread-safe. `fields` are extra key/values (JSON object), shown as key=value in text.
class Logger {
 public:
  Logger(LogLevel min_level, LogFormat format, std::ostream& out = std::cout)
      : min_(min_level), format_(format), out_(out) {}

  bool Enabled(LogLevel level) const { return level >= min_; }

  void Log(LogLevel level, std::string_view message,
           const nlohmann::json& fields = nlohmann::json::object()) {
    if (Enabled(level)) Write(level, message, fields);
  }
  // Written whatever the level: the line that says where the server listens is how
  // supervisors and tests learn the port.
  void Always(LogLevel level, std::string_view message,
              const nlohmann::json& fields = nlohmann::json::object()) {
    Write(level, message, fields);
  }

 private:
  void Write(LogLevel level, std::string_view message, const nlohmann::json& fields) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::string time = protocol::FormatIso8601(protocol::Timestamp{now});
    std::string line;
    if (format_ == LogFormat::kJson) {
      nlohmann::json j = {{"time", time}, {"level", ToString(level)}, {"msg", message}};
      if (fields.is_object()) {
        for (const auto& [k, v] : fields.items())
          j[k] = v;
      }
      line = j.dump();
    } else {
      line = time + " " + std::string(ToString(level)) + " " + std::string(message);
      if (fields.is_object()) {
        for (const auto& [k, v] : fields.items())
          line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    std::lock_guard lock(mu_);
    out_ << line << std::endl;
  }

  LogLevel min_;
  LogFormat format_;
  std::ostream& out_;
  std::mutex mu_;
};

}  // namespace durafn::api
