// The recorded exchanges between AWS's JS SDK and a durable backend (shared/protocol-traces)
// are test vectors: every record must decode into the wire model and re-encode to the same
// JSON, and every operation id must be the one protocol/ derives.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/json_codec.h"
#include "protocol/operation_id.h"
#include "support/shared_dir.h"

namespace durafn::protocol {
namespace {

using nlohmann::json;

struct TraceFile {
  std::string name;
  json doc;
};

std::vector<TraceFile> LoadTraces() {
  std::vector<TraceFile> out;
  auto shared = testing::SharedDir();
  if (!shared) return out;
  for (const auto& entry : std::filesystem::directory_iterator(*shared / "protocol-traces")) {
    if (entry.path().extension() != ".json") continue;
    out.push_back({entry.path().filename().string(), testing::ReadJsonFile(entry.path())});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

const std::vector<TraceFile>& Traces() {
  static const std::vector<TraceFile> traces = LoadTraces();
  return traces;
}

#define REQUIRE_TRACES()                                                           \
  do {                                                                             \
    if (!testing::SharedDir()) GTEST_SKIP() << testing::SharedDirMissingReason();  \
    ASSERT_GE(Traces().size(), 30u) << "expected the full set of protocol traces"; \
  } while (0)

// Decodes `original` as T, re-encodes it, and expects the same JSON back.
template <class T>
void ExpectRoundTrip(const json& original, TimeFormat format, const std::string& where) {
  auto decoded = Decode<T>(original, format);
  ASSERT_TRUE(decoded.ok()) << where << ": " << decoded.status().ToString();
  json again = Encode(*decoded, format);
  EXPECT_TRUE(again == original) << where << ": re-encoding differs; patch from original: "
                                 << json::diff(original, again).dump();
  // Decoding the re-encoding must give the same value (the model is a fixed point).
  auto twice = Decode<T>(again, format);
  ASSERT_TRUE(twice.ok()) << where;
  EXPECT_TRUE(*twice == *decoded) << where;
}

// AWS's local backend adds members the API model does not have; the model drops them by
// design (unknown members are ignored). This is the complete list seen in the traces.
json WithoutNonModelMembers(json event) {
  if (event.contains("CallbackStartedDetails")) event["CallbackStartedDetails"].erase("Input");
  return event;
}

TEST(Traces, EnvelopesCheckpointsStateCallsAndOutputsRoundTrip) {
  REQUIRE_TRACES();
  int records = 0;
  for (const auto& t : Traces()) {
    if (!t.doc.contains("invocations") || !t.doc["invocations"].is_array()) continue;
    for (const auto& inv : t.doc["invocations"]) {
      if (!inv.contains("input")) continue;  // http-wire keeps its envelopes elsewhere
      std::string where = t.name + " invocation " + inv["index"].dump();
      ExpectRoundTrip<InvocationEnvelope>(inv["input"], TimeFormat::kIso8601, where + " input");
      if (inv.contains("inputAsDeliveredToSdk")) {
        ExpectRoundTrip<InvocationEnvelope>(inv["inputAsDeliveredToSdk"], TimeFormat::kIso8601,
                                            where + " inputAsDeliveredToSdk");
      }
      for (const auto& c : inv.value("checkpoints", json::array())) {
        ExpectRoundTrip<CheckpointDurableExecutionRequest>(c["request"], TimeFormat::kIso8601,
                                                           where + " checkpoint request");
        ExpectRoundTrip<CheckpointDurableExecutionResponse>(c["response"], TimeFormat::kIso8601,
                                                            where + " checkpoint response");
        records += 2;
      }
      for (const auto& c : inv.value("stateCalls", json::array())) {
        ExpectRoundTrip<GetDurableExecutionStateRequest>(c["request"], TimeFormat::kIso8601,
                                                         where + " state request");
        ExpectRoundTrip<GetDurableExecutionStateResponse>(c["response"], TimeFormat::kIso8601,
                                                          where + " state response");
        records += 2;
      }
      if (inv.contains("output") && !inv["output"].is_null()) {
        ExpectRoundTrip<InvocationOutput>(inv["output"], TimeFormat::kIso8601, where + " output");
      }
      records += 2;
    }
  }
  EXPECT_GT(records, 300);
}

TEST(Traces, HistoryEventsAndFinalOperationsRoundTrip) {
  REQUIRE_TRACES();
  std::set<EventType> seen;
  int events = 0;
  for (const auto& t : Traces()) {
    for (const auto& e : t.doc.value("historyEvents", json::array())) {
      std::string where = t.name + " event " + e["EventId"].dump();
      ExpectRoundTrip<Event>(WithoutNonModelMembers(e), TimeFormat::kIso8601, where);
      seen.insert(*ParseEnum<EventType>(e["EventType"].get<std::string>()));
      ++events;
    }
    for (const auto& op : t.doc.value("finalOperations", json::array())) {
      ExpectRoundTrip<Operation>(op, TimeFormat::kIso8601, t.name + " final operation");
    }
  }
  EXPECT_GT(events, 200);
  // The traces exercise at least these event types.
  for (auto type : {EventType::kExecutionStarted, EventType::kStepFailed, EventType::kWaitStarted,
                    EventType::kCallbackTimedOut, EventType::kChainedInvokeStarted,
                    EventType::kContextFailed, EventType::kInvocationCompleted}) {
    EXPECT_TRUE(seen.count(type)) << ToString(type);
  }
}

TEST(Traces, HttpWireBodiesRoundTripWithRestTimestamps) {
  REQUIRE_TRACES();
  const TraceFile* wire = nullptr;
  for (const auto& t : Traces()) {
    if (t.name == "http-wire-order-processing.json") wire = &t;
  }
  ASSERT_NE(wire, nullptr);
  int checked = 0;
  for (const auto& ex : wire->doc["exchanges"]) {
    std::string url = ex["request"]["url"];
    const json req = ex["request"].value("body", json());
    const json resp = ex["response"].value("body", json());
    if (url.find("/checkpoint") != std::string::npos) {
      // The REST API writes epoch seconds (with a fraction) in responses.
      ExpectRoundTrip<CheckpointDurableExecutionRequest>(req, TimeFormat::kEpochSeconds, url);
      ExpectRoundTrip<CheckpointDurableExecutionResponse>(resp, TimeFormat::kEpochSeconds, url);
      ++checked;
    } else if (url.find("/state?") != std::string::npos) {
      ExpectRoundTrip<GetDurableExecutionStateResponse>(resp, TimeFormat::kEpochSeconds, url);
      ++checked;
    } else if (url.ends_with("/fail")) {
      ExpectRoundTrip<ErrorObject>(req, TimeFormat::kEpochSeconds, url);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5);
  for (const auto& inv : wire->doc["invocations"]) {
    ExpectRoundTrip<InvocationEnvelope>(inv["event"], TimeFormat::kIso8601, "http-wire event");
    ExpectRoundTrip<InvocationOutput>(inv["output"], TimeFormat::kIso8601, "http-wire output");
  }
}

TEST(Traces, SyntheticReplayCasesRoundTrip) {
  REQUIRE_TRACES();
  for (const auto& t : Traces()) {
    if (t.name != "step-interrupted-replay.json") continue;
    ASSERT_EQ(t.doc["cases"].size(), 2u);
    for (const auto& c : t.doc["cases"]) {
      std::string where = t.name + " " + c["case"].get<std::string>();
      ExpectRoundTrip<InvocationEnvelope>(c["input"], TimeFormat::kIso8601, where);
      for (const auto& call : c["calls"]) {
        ExpectRoundTrip<CheckpointDurableExecutionRequest>(call["request"], TimeFormat::kIso8601,
                                                           where);
        ExpectRoundTrip<CheckpointDurableExecutionResponse>(call["response"], TimeFormat::kIso8601,
                                                            where);
      }
      ExpectRoundTrip<InvocationOutput>(c["output"], TimeFormat::kIso8601, where);
    }
    return;
  }
  FAIL() << "step-interrupted-replay.json not found";
}

// Every operation id in the traces must be HashOperationId of a path built by
// OperationPath from its parent's path, i.e. derivable by protocol/ alone.
TEST(Traces, OperationIdsAreDerivedFromTheirPaths) {
  REQUIRE_TRACES();
  int derived = 0;
  for (const auto& t : Traces()) {
    const json& ops = t.doc.value("finalOperations", json::array());
    if (ops.empty()) continue;
    // Parents are created before their children, so one pass in list order suffices.
    std::map<std::string, std::string> path_of;      // id -> path
    std::map<std::string, std::set<uint64_t>> used;  // parent path -> counters taken
    for (const auto& op : ops) {
      std::string id = op["Id"];
      if (op["Type"] == "EXECUTION") continue;
      std::string parent_path;
      if (op.contains("ParentId")) {
        auto it = path_of.find(op["ParentId"].get<std::string>());
        ASSERT_NE(it, path_of.end()) << t.name << ": parent of " << id << " not seen before it";
        parent_path = it->second;
      }
      bool found = false;
      for (uint64_t n = 1; n <= 1000 && !found; ++n) {
        std::string path = OperationPath(parent_path, n);
        if (HashOperationId(path) == id) {
          EXPECT_TRUE(used[parent_path].insert(n).second) << t.name << ": path reused " << path;
          path_of[id] = path;
          found = true;
        }
      }
      EXPECT_TRUE(found) << t.name << ": id " << id << " is not md5/16 of a path under '"
                         << parent_path << "'";
      derived += found;
    }
  }
  EXPECT_GT(derived, 60);
}

TEST(Traces, OrderProcessingIdsAreTheFirstThreeRootPaths) {
  REQUIRE_TRACES();
  for (const auto& t : Traces()) {
    if (t.name != "order-processing.realtime.json") continue;
    std::map<std::string, std::string> id_by_name;
    for (const auto& op : t.doc["finalOperations"]) {
      if (op["Type"] == "STEP") id_by_name[op["Name"]] = op["Id"];
      if (op["Type"] == "WAIT") id_by_name["wait"] = op["Id"];
    }
    EXPECT_EQ(id_by_name["enrich-order"], HashOperationId(OperationPath("", 1)));
    EXPECT_EQ(id_by_name["wait"], HashOperationId(OperationPath("", 2)));
    EXPECT_EQ(id_by_name["finalize-order"], HashOperationId(OperationPath("", 3)));
    return;
  }
  FAIL() << "order-processing.realtime.json not found";
}

TEST(Traces, LargeResultUsesTheExecutionResultId) {
  REQUIRE_TRACES();
  for (const auto& t : Traces()) {
    if (t.name != "large-result.realtime.json") continue;
    int found = 0;
    for (const auto& inv : t.doc["invocations"]) {
      for (const auto& c : inv["checkpoints"]) {
        for (const auto& u : c["request"]["Updates"]) {
          if (u["Type"] != "EXECUTION") continue;
          // The SDK hashes "execution-result-<epoch ms when it checkpointed>"; search the
          // window between the execution's start and the end of the recording.
          auto begin =
              ParseIso8601(inv["input"]["InitialExecutionState"]["Operations"][0]["StartTimestamp"]
                               .get<std::string>());
          auto end = ParseIso8601(t.doc["recordedAt"].get<std::string>());
          ASSERT_TRUE(begin && end);
          bool match = false;
          for (int64_t ms = begin->ms - 1000; ms <= end->ms + 1000 && !match; ++ms) {
            match = ExecutionResultOperationId(ms) == u["Id"];
          }
          EXPECT_TRUE(match) << "EXECUTION update id " << u["Id"];
          ++found;
        }
      }
    }
    EXPECT_EQ(found, 1);
    return;
  }
  FAIL() << "large-result.realtime.json not found";
}

}  // namespace
}  // namespace durafn::protocol
