// Writes log lines into a data dir's logs.db the way hosting hands them to the log store, for
// client tests that need logs before anything in the server produces them.
// Usage: durafn_log_seed DATA_DIR GROUP STREAM COUNT
// Line i (0-based) has timestamp 1'700'000'000'000 + i, request id "req-i", and is a JSON
// object {"level": "ERROR" every third line else "INFO", "i": i} when i is even, the plain
// text "plain line i" otherwise.
#include <cstdio>
#include <filesystem>
#include <string>

#include "hosting/log_store.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DATA_DIR GROUP STREAM COUNT\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  auto store = durafn::hosting::LogStore::Open((dir / "logs.db").string(), {});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  int count = std::stoi(argv[4]);
  for (int i = 0; i < count; ++i) {
    std::string message = i % 2 == 0 ? R"({"level":")" + std::string(i % 3 ? "INFO" : "ERROR") +
                                           R"(","i":)" + std::to_string(i) + "}"
                                     : "plain line " + std::to_string(i);
    (*store)->Append({argv[2], argv[3], 1'700'000'000'000 + i, std::move(message),
                      "req-" + std::to_string(i), ""});
  }
  (*store)->Flush();
  auto stats = (*store)->stats();
  if (stats.written != static_cast<uint64_t>(count)) {
    std::fprintf(stderr, "wrote %llu of %d lines\n", static_cast<unsigned long long>(stats.written),
                 count);
    return 1;
  }
  return 0;
}
