#include "store/state_codec.h"

#include <array>
#include <limits>
#include <utility>

#include "protocol/enums.h"
#include "protocol/json_codec.h"

namespace durafn::store {
namespace {

using json = nlohmann::json;
using protocol::Timestamp;

// Stored timestamps are integers of milliseconds, the unit the engine keeps.
constexpr protocol::TimeFormat kStoredTimeFormat = protocol::TimeFormat::kEpochMillis;

constexpr std::array kTimerKinds = {
    engine::TimerKind::kWaitEnd,          engine::TimerKind::kStepRetry,
    engine::TimerKind::kCallbackTimeout,  engine::TimerKind::kCallbackHeartbeat,
    engine::TimerKind::kExecutionTimeout, engine::TimerKind::kInvocationRetry,
};
constexpr std::array kPhases = {
    engine::InvocationPhase::kIdle,
    engine::InvocationPhase::kQueued,
    engine::InvocationPhase::kRunning,
    engine::InvocationPhase::kRetryBackoff,
};

// Thrown inside this file only; the entry points turn it into a Status.
struct DecodeError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw DecodeError{path + ": " + what};
}

// One JSON object being decoded, with its path for error messages.
class Obj {
 public:
  Obj(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) Fail(path_.empty() ? "(root)" : path_, "expected object");
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  // The member, or nullptr when absent (JSON null counts as absent).
  const json* Find(std::string_view key) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const json& Req(std::string_view key) const {
    const json* v = Find(key);
    if (!v) Fail(Path(key), "missing required member");
    return *v;
  }

  std::string String(std::string_view key) const { return AsString(Req(key), Path(key)); }
  int64_t Int(std::string_view key) const { return AsInt(Req(key), Path(key)); }
  bool Bool(std::string_view key) const {
    const json& v = Req(key);
    if (!v.is_boolean()) Fail(Path(key), "expected boolean");
    return v.get<bool>();
  }
  Timestamp Millis(std::string_view key) const { return Timestamp{Int(key)}; }
  Obj Object(std::string_view key) const { return Obj(Req(key), Path(key)); }

  std::optional<std::string> OptString(std::string_view key) const {
    const json* v = Find(key);
    if (!v) return std::nullopt;
    return AsString(*v, Path(key));
  }
  std::optional<int64_t> OptInt(std::string_view key) const {
    const json* v = Find(key);
    if (!v) return std::nullopt;
    return AsInt(*v, Path(key));
  }
  std::optional<Timestamp> OptMillis(std::string_view key) const {
    auto ms = OptInt(key);
    if (!ms) return std::nullopt;
    return Timestamp{*ms};
  }
  std::vector<std::string> Strings(std::string_view key) const {
    const json& v = Req(key);
    if (!v.is_array()) Fail(Path(key), "expected array");
    std::vector<std::string> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back(AsString(v[i], Path(key) + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  // A protocol shape, decoded by its own codec.
  template <class T>
  T Protocol(std::string_view key) const {
    auto r = protocol::Decode<T>(Req(key), kStoredTimeFormat);
    if (!r.ok()) Fail(Path(key), r.status().message());
    return std::move(r).value();
  }
  template <class T>
  std::optional<T> OptProtocol(std::string_view key) const {
    if (!Find(key)) return std::nullopt;
    return Protocol<T>(key);
  }

  template <class E>
  E Enum(std::string_view key, std::optional<E> (*parse)(std::string_view)) const {
    std::string name = String(key);
    auto e = parse(name);
    if (!e) Fail(Path(key), "unknown value '" + name + "'");
    return *e;
  }

 private:
  static std::string AsString(const json& v, const std::string& path) {
    if (!v.is_string()) Fail(path, "expected string");
    return v.get<std::string>();
  }
  static int64_t AsInt(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        Fail(path, "integer out of range");
      }
      return static_cast<int64_t>(u);
    }
    if (!v.is_number_integer()) Fail(path, "expected integer");
    return v.get<int64_t>();
  }

  const json& j_;
  std::string path_;
};

template <class T, class F>
Result<T> Catching(F&& decode) {
  try {
    return decode();
  } catch (const DecodeError& e) {
    return Status::InvalidArgument(e.message);
  }
}

template <class T>
json ProtocolJson(const T& value) {
  return protocol::Encode(value, kStoredTimeFormat);
}

std::optional<protocol::ExecutionStatus> ParseExecutionStatus(std::string_view s) {
  return protocol::ParseEnum<protocol::ExecutionStatus>(s);
}

json EncodeCallback(const engine::CallbackSettings& c) {
  json j = json::object();
  j["timeout_seconds"] = c.timeout_seconds;
  j["heartbeat_timeout_seconds"] = c.heartbeat_timeout_seconds;
  if (c.timeout_deadline) j["timeout_deadline_ms"] = c.timeout_deadline->ms;
  if (c.heartbeat_deadline) j["heartbeat_deadline_ms"] = c.heartbeat_deadline->ms;
  return j;
}

engine::CallbackSettings DecodeCallback(const Obj& o) {
  engine::CallbackSettings c;
  c.timeout_seconds = o.Int("timeout_seconds");
  c.heartbeat_timeout_seconds = o.Int("heartbeat_timeout_seconds");
  c.timeout_deadline = o.OptMillis("timeout_deadline_ms");
  c.heartbeat_deadline = o.OptMillis("heartbeat_deadline_ms");
  return c;
}

json EncodeChained(const engine::ChainedInvokeRecord& c) {
  json j = json::object();
  j["function_name"] = c.function_name;
  if (c.tenant_id) j["tenant_id"] = *c.tenant_id;
  if (c.input_payload) j["input_payload"] = *c.input_payload;
  if (c.executed_version) j["executed_version"] = *c.executed_version;
  if (c.durable_execution_arn) j["durable_execution_arn"] = *c.durable_execution_arn;
  j["started_event_id"] = c.started_event_id;
  j["started_at_ms"] = c.started_at.ms;
  return j;
}

engine::ChainedInvokeRecord DecodeChained(const Obj& o) {
  engine::ChainedInvokeRecord c;
  c.function_name = o.String("function_name");
  c.tenant_id = o.OptString("tenant_id");
  c.input_payload = o.OptString("input_payload");
  c.executed_version = o.OptString("executed_version");
  c.durable_execution_arn = o.OptString("durable_execution_arn");
  c.started_event_id = o.Int("started_event_id");
  c.started_at = o.Millis("started_at_ms");
  return c;
}

}  // namespace

json EncodeRecord(const engine::ExecutionRecord& r, RecordEncoding encoding) {
  json j = json::object();
  j["arn"] = r.arn;
  j["name"] = r.name;
  j["function_arn"] = r.function_arn;
  j["version"] = r.version;
  j["status"] = std::string(protocol::ToString(r.status));
  j["start_ms"] = r.start_timestamp.ms;
  if (r.end_timestamp) j["end_ms"] = r.end_timestamp->ms;
  if (encoding.include_input && r.input_payload) j["input_payload"] = *r.input_payload;
  if (r.result) j["result"] = *r.result;
  if (r.error) j["error"] = ProtocolJson(*r.error);
  j["execution_timeout_seconds"] = r.execution_timeout_seconds;
  j["retention_days"] = r.retention_days;
  j["sync"] = r.sync;
  // Written only when on, so records of real-time executions are unchanged.
  if (r.skip_time) {
    j["skip_time"] = true;
    j["skipped_ms"] = r.skipped_ms;
  }
  j["next_event_id"] = r.next_event_id;
  j["execution_operation_id"] = r.execution_operation_id;
  j["token_sequence"] = r.token_sequence;
  j["phase"] = std::string(InvocationPhaseName(r.phase));
  if (r.invocation) {
    j["invocation"] = {{"request_id", r.invocation->request_id},
                       {"started_ms", r.invocation->started_at.ms},
                       {"first_token_sequence", r.invocation->first_token_sequence}};
  }
  if (r.invocation_retry_due) j["invocation_retry_due_ms"] = r.invocation_retry_due->ms;
  j["consecutive_failed_invocations"] = r.consecutive_failed_invocations;
  j["updated_operation_ids"] = r.updated_operation_ids;
  j["pending_service_changes"] = r.pending_service_changes;
  j["change_counter"] = r.change_counter;
  j["handler_seen_change"] = r.handler_seen_change;
  if (r.last_checkpoint) {
    j["last_checkpoint"] = {{"client_token", r.last_checkpoint->client_token},
                            {"inbound_token", r.last_checkpoint->inbound_token},
                            {"response", ProtocolJson(r.last_checkpoint->response)}};
  }
  return j;
}

Result<engine::ExecutionRecord> DecodeRecord(const json& j) {
  return Catching<engine::ExecutionRecord>([&] {
    Obj o(j, "record");
    engine::ExecutionRecord r;
    r.arn = o.String("arn");
    r.name = o.String("name");
    r.function_arn = o.String("function_arn");
    r.version = o.String("version");
    r.status = o.Enum<protocol::ExecutionStatus>("status", ParseExecutionStatus);
    r.start_timestamp = o.Millis("start_ms");
    r.end_timestamp = o.OptMillis("end_ms");
    r.input_payload = o.OptString("input_payload");
    r.result = o.OptString("result");
    r.error = o.OptProtocol<protocol::ErrorObject>("error");
    r.execution_timeout_seconds = o.Int("execution_timeout_seconds");
    r.retention_days = o.Int("retention_days");
    r.sync = o.Bool("sync");
    if (o.Find("skip_time")) {
      r.skip_time = o.Bool("skip_time");
      r.skipped_ms = o.Int("skipped_ms");
      if (r.skipped_ms < 0) Fail(o.Path("skipped_ms"), "negative");
    }
    r.next_event_id = o.Int("next_event_id");
    r.execution_operation_id = o.String("execution_operation_id");
    r.token_sequence = o.Int("token_sequence");
    r.phase = o.Enum<engine::InvocationPhase>("phase", ParseInvocationPhase);
    if (o.Find("invocation")) {
      Obj inv = o.Object("invocation");
      r.invocation = engine::Invocation{inv.String("request_id"), inv.Millis("started_ms"),
                                        inv.Int("first_token_sequence")};
    }
    r.invocation_retry_due = o.OptMillis("invocation_retry_due_ms");
    int64_t failures = o.Int("consecutive_failed_invocations");
    if (failures < 0 || failures > std::numeric_limits<int>::max()) {
      Fail(o.Path("consecutive_failed_invocations"), "out of range");
    }
    r.consecutive_failed_invocations = static_cast<int>(failures);
    r.updated_operation_ids = o.Strings("updated_operation_ids");
    r.pending_service_changes = o.Bool("pending_service_changes");
    r.change_counter = o.Int("change_counter");
    r.handler_seen_change = o.Int("handler_seen_change");
    if (o.Find("last_checkpoint")) {
      Obj lc = o.Object("last_checkpoint");
      r.last_checkpoint = engine::CheckpointReplay{
          lc.String("client_token"), lc.String("inbound_token"),
          lc.Protocol<protocol::CheckpointDurableExecutionResponse>("response")};
    }
    return r;
  });
}

json EncodeOperationEntry(const engine::OperationEntry& e) {
  json j = json::object();
  j["op"] = ProtocolJson(e.op);
  j["changed_at"] = e.changed_at;
  if (e.wait_seconds) j["wait_seconds"] = *e.wait_seconds;
  if (e.callback) j["callback"] = EncodeCallback(*e.callback);
  if (e.chained) j["chained"] = EncodeChained(*e.chained);
  return j;
}

Result<engine::OperationEntry> DecodeOperationEntry(const json& j) {
  return Catching<engine::OperationEntry>([&] {
    Obj o(j, "entry");
    engine::OperationEntry e;
    e.op = o.Protocol<protocol::Operation>("op");
    e.changed_at = o.Int("changed_at");
    e.wait_seconds = o.OptInt("wait_seconds");
    if (o.Find("callback")) e.callback = DecodeCallback(o.Object("callback"));
    if (o.Find("chained")) e.chained = DecodeChained(o.Object("chained"));
    return e;
  });
}

json EncodeStoredEvent(const protocol::Event& event) {
  return ProtocolJson(event);
}

Result<protocol::Event> DecodeStoredEvent(const json& j) {
  return protocol::Decode<protocol::Event>(j, kStoredTimeFormat);
}

Result<std::string> DumpJson(const json& j) {
  try {
    return j.dump();
  } catch (const json::type_error& e) {
    return Status::InvalidArgument(std::string("cannot store as JSON: ") + e.what());
  }
}

std::string_view TimerKindName(engine::TimerKind kind) {
  switch (kind) {
    case engine::TimerKind::kWaitEnd:
      return "WaitEnd";
    case engine::TimerKind::kStepRetry:
      return "StepRetry";
    case engine::TimerKind::kCallbackTimeout:
      return "CallbackTimeout";
    case engine::TimerKind::kCallbackHeartbeat:
      return "CallbackHeartbeat";
    case engine::TimerKind::kExecutionTimeout:
      return "ExecutionTimeout";
    case engine::TimerKind::kInvocationRetry:
      return "InvocationRetry";
  }
  return "";
}

std::optional<engine::TimerKind> ParseTimerKind(std::string_view name) {
  for (auto kind : kTimerKinds) {
    if (TimerKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view InvocationPhaseName(engine::InvocationPhase phase) {
  switch (phase) {
    case engine::InvocationPhase::kIdle:
      return "Idle";
    case engine::InvocationPhase::kQueued:
      return "Queued";
    case engine::InvocationPhase::kRunning:
      return "Running";
    case engine::InvocationPhase::kRetryBackoff:
      return "RetryBackoff";
  }
  return "";
}

std::optional<engine::InvocationPhase> ParseInvocationPhase(std::string_view name) {
  for (auto phase : kPhases) {
    if (InvocationPhaseName(phase) == name) return phase;
  }
  return std::nullopt;
}

}  // namespace durafn::store
