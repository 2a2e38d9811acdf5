#include "protocol/json_codec.h"

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace durafn::protocol {
namespace {

using nlohmann::json;

// Thrown inside the decoder only; Decode<T> turns it into a Status.
struct DecodeError {
  std::string message;
};

std::string JsonTypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "binary";
  }
}

// A JSON value being decoded. The path that error messages name is only built when an
// error is reported: each value links to its parent and its own member name or element
// index, so decoding a valid document allocates no path strings.
struct In {
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

  const json& j;
  TimeFormat format;
  const In* parent = nullptr;
  std::string_view key;          // the member name, when the parent is an object
  std::size_t index = kNoIndex;  // the element index, when the parent is an array

  std::string Path() const {
    if (!parent) return std::string();
    std::string p = parent->Path();
    if (index != kNoIndex) return p + "[" + std::to_string(index) + "]";
    return p.empty() ? std::string(key) : p + "." + std::string(key);
  }
  [[noreturn]] void Fail(std::string_view what) const {
    std::string path = Path();
    throw DecodeError{(path.empty() ? std::string("document") : path) + ": " + std::string(what)};
  }
  [[noreturn]] void WrongType(std::string_view expected) const {
    Fail("expected " + std::string(expected) + ", got " + JsonTypeName(j));
  }
  // The returned value refers to `this` and `key`: both must outlive it.
  In Member(std::string_view member, const json& v) const {
    return In{v, format, this, member, kNoIndex};
  }
  In Element(std::size_t i, const json& v) const { return In{v, format, this, {}, i}; }
};

// Field-list description of a struct, shared by the reader and the writer so the two
// directions cannot drift apart. Specialised below for every shape.
template <class T>
struct Fields;

template <class T>
concept HasFields = requires {
  sizeof(Fields<T>);
};

template <class T>
concept WireEnum = requires {
  EnumInfo<T>::kWire;
};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// ---- reading ----

void Read(const In& in, std::string& out) {
  if (!in.j.is_string()) in.WrongType("string");
  out = in.j.get_ref<const std::string&>();
}

void Read(const In& in, bool& out) {
  if (!in.j.is_boolean()) in.WrongType("boolean");
  out = in.j.get<bool>();
}

void Read(const In& in, int64_t& out) {
  if (in.j.is_number_integer() && !in.j.is_number_unsigned()) {
    out = in.j.get<int64_t>();
  } else if (in.j.is_number_unsigned()) {
    auto u = in.j.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      in.Fail("integer out of range");
    out = static_cast<int64_t>(u);
  } else if (in.j.is_number_float()) {
    double d = in.j.get<double>();
    // JSON does not distinguish 5 from 5.0; accept integral values that fit exactly.
    if (std::trunc(d) != d || std::fabs(d) > 9.0e15) in.WrongType("integer");
    out = static_cast<int64_t>(d);
  } else {
    in.WrongType("integer");
  }
}

void Read(const In& in, Timestamp& out) {
  if (in.j.is_string()) {
    auto t = ParseIso8601(in.j.get_ref<const std::string&>());
    if (!t) in.Fail("invalid ISO-8601 timestamp '" + in.j.get<std::string>() + "'");
    out = *t;
    return;
  }
  if (!in.j.is_number()) in.WrongType("timestamp");
  double v = in.j.get<double>();
  if (!std::isfinite(v) || std::fabs(v) > 1e15) in.Fail("timestamp out of range");
  out = in.format == TimeFormat::kEpochMillis ? Timestamp{std::llround(v)}
                                              : Timestamp{std::llround(v * 1000.0)};
}

template <WireEnum E>
void Read(const In& in, E& out) {
  if (!in.j.is_string()) in.WrongType("string");
  const auto& s = in.j.get_ref<const std::string&>();
  auto e = ParseEnum<E>(s);
  if (!e) in.Fail("unknown " + std::string(EnumInfo<E>::kName) + " '" + s + "'");
  out = *e;
}

template <class T>
void Read(const In& in, std::vector<T>& out);
template <HasFields T>
void Read(const In& in, T& out);
bool ReadOperationInOnePass(const In& in, Operation& out);

// Reads the members of one JSON object.
class Reader {
 public:
  explicit Reader(const In& in) : in_(in) {
    if (!in.j.is_object()) in.WrongType("object");
    // Small objects (every protocol shape) are indexed once: a flat list of the non-null
    // members with a tag per key and a mask of the tags, so looking up one of a shape's many
    // absent optional members usually costs one bit test instead of a tree search.
    const auto& members = in.j.get_ref<const json::object_t&>();
    if (members.size() > kMaxIndexed) return;
    indexed_ = true;
    for (const auto& [k, v] : members) {
      if (v.is_null()) continue;
      uint32_t tag = Tag(k);
      index_[count_++] = Member{k, tag, &v};
      tags_ |= uint64_t{1} << (tag % 64);
    }
  }
  const In& in() const { return in_; }

  template <class T>
  void Req(std::string_view key, T& out) {
    const json* v = Find(key);
    if (!v) in_.Member(key, json()).Fail("missing required member");
    Read(in_.Member(key, *v), out);
  }
  template <class T>
  void Opt(std::string_view key, std::optional<T>& out) {
    const json* v = Find(key);
    if (!v) return;
    Read(in_.Member(key, *v), out.emplace());
  }
  // A member whose absence decodes as the empty object (e.g. details with no members).
  template <class T>
  void ReqOrEmpty(std::string_view key, T& out) {
    const json* v = Find(key);
    static const json kEmpty = json::object();
    Read(in_.Member(key, v ? *v : kEmpty), out);
  }

 private:
  static constexpr std::size_t kMaxIndexed = 24;
  struct Member {
    std::string_view key;
    uint32_t tag;
    const json* value;
  };
  // Length, first and last byte: different tags mean different keys.
  static uint32_t Tag(std::string_view key) {
    if (key.empty()) return 0;
    return static_cast<uint32_t>(key.size() * 31) ^ static_cast<unsigned char>(key.front()) ^
           static_cast<uint32_t>(static_cast<unsigned char>(key.back())) << 16;
  }

  const json* Find(std::string_view key) const {
    if (indexed_) {
      uint32_t tag = Tag(key);
      if (!((tags_ >> (tag % 64)) & 1)) return nullptr;
      for (std::size_t i = 0; i < count_; ++i) {
        if (index_[i].tag == tag && index_[i].key == key) return index_[i].value;
      }
      return nullptr;
    }
    auto it = in_.j.find(key);
    if (it == in_.j.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const In& in_;
  bool indexed_ = false;
  std::size_t count_ = 0;
  uint64_t tags_ = 0;  // bit (tag % 64) of every indexed member
  Member index_[kMaxIndexed];
};

template <class T>
void Read(const In& in, std::vector<T>& out) {
  if (!in.j.is_array()) in.WrongType("array");
  out.clear();
  out.reserve(in.j.size());
  for (std::size_t i = 0; i < in.j.size(); ++i)
    Read(in.Element(i, in.j[i]), out.emplace_back());
}

template <HasFields T>
void Read(const In& in, T& out) {
  if constexpr (std::is_same_v<T, Operation>) {
    if (ReadOperationInOnePass(in, out)) return;
    out = Operation{};
  }
  Reader r(in);
  Fields<T>::Visit(r, out);
}

// ---- writing ----

json Write(const std::string& v, TimeFormat) {
  return v;
}
json Write(bool v, TimeFormat) {
  return v;
}
json Write(int64_t v, TimeFormat) {
  return v;
}

json Write(Timestamp t, TimeFormat format) {
  switch (format) {
    case TimeFormat::kEpochMillis:
      return t.ms;
    case TimeFormat::kIso8601:
      return FormatIso8601(t);
    case TimeFormat::kEpochSeconds:
      break;
  }
  if (t.ms % 1000 == 0) return t.ms / 1000;
  return ToEpochSeconds(t);
}

template <WireEnum E>
json Write(E v, TimeFormat) {
  return std::string(ToString(v));
}

template <class T>
json Write(const std::vector<T>& v, TimeFormat format);
template <HasFields T>
json Write(const T& v, TimeFormat format);

// Writes the members of one JSON object.
class Writer {
 public:
  explicit Writer(TimeFormat format) : format_(format) {}
  template <class T>
  void Req(std::string_view key, const T& v) {
    out_[std::string(key)] = Write(v, format_);
  }
  template <class T>
  void Opt(std::string_view key, const std::optional<T>& v) {
    if (v) out_[std::string(key)] = Write(*v, format_);
  }
  template <class T>
  void ReqOrEmpty(std::string_view key, const T& v) {
    Req(key, v);
  }
  json Take() { return std::move(out_); }

 private:
  TimeFormat format_;
  json out_ = json::object();
};

template <class T>
json Write(const std::vector<T>& v, TimeFormat format) {
  json a = json::array();
  for (const auto& e : v)
    a.push_back(Write(e, format));
  return a;
}

template <HasFields T>
json Write(const T& v, TimeFormat format) {
  Writer w(format);
  Fields<T>::Visit(w, v);
  return w.Take();
}

// ---- field lists ----
// V is Reader or Writer; S is T or const T.

#define DURAFN_FIELDS(T)           \
  template <>                      \
  struct Fields<T> {               \
    template <class V, class S>    \
    static void Visit(V& v, S& x); \
  };                               \
  template <class V, class S>      \
  void Fields<T>::Visit(V& v, S& x)

DURAFN_FIELDS(ErrorObject) {
  v.Opt("ErrorType", x.error_type);
  v.Opt("ErrorMessage", x.error_message);
  v.Opt("ErrorData", x.error_data);
  v.Opt("StackTrace", x.stack_trace);
}

DURAFN_FIELDS(ExecutionDetails) {
  v.Opt("InputPayload", x.input_payload);
}

DURAFN_FIELDS(ContextDetails) {
  v.Opt("ReplayChildren", x.replay_children);
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
}

DURAFN_FIELDS(StepDetails) {
  v.Opt("Attempt", x.attempt);
  v.Opt("NextAttemptTimestamp", x.next_attempt_timestamp);
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
}

DURAFN_FIELDS(WaitDetails) {
  v.Opt("ScheduledEndTimestamp", x.scheduled_end_timestamp);
}

DURAFN_FIELDS(CallbackDetails) {
  v.Opt("CallbackId", x.callback_id);
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
}

DURAFN_FIELDS(ChainedInvokeDetails) {
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
}

// ReadOperationInOnePass (below) reads these same members: keep the two in step.
DURAFN_FIELDS(Operation) {
  v.Req("Id", x.id);
  v.Opt("ParentId", x.parent_id);
  v.Opt("Name", x.name);
  v.Req("Type", x.type);
  v.Opt("SubType", x.sub_type);
  v.Req("StartTimestamp", x.start_timestamp);
  v.Opt("EndTimestamp", x.end_timestamp);
  v.Req("Status", x.status);
  v.Opt("ExecutionDetails", x.execution_details);
  v.Opt("ContextDetails", x.context_details);
  v.Opt("StepDetails", x.step_details);
  v.Opt("WaitDetails", x.wait_details);
  v.Opt("CallbackDetails", x.callback_details);
  v.Opt("ChainedInvokeDetails", x.chained_invoke_details);
}

DURAFN_FIELDS(ContextOptions) {
  v.Opt("ReplayChildren", x.replay_children);
}
DURAFN_FIELDS(StepOptions) {
  v.Opt("NextAttemptDelaySeconds", x.next_attempt_delay_seconds);
}
DURAFN_FIELDS(WaitOptions) {
  v.Opt("WaitSeconds", x.wait_seconds);
}

DURAFN_FIELDS(CallbackOptions) {
  v.Opt("TimeoutSeconds", x.timeout_seconds);
  v.Opt("HeartbeatTimeoutSeconds", x.heartbeat_timeout_seconds);
}

DURAFN_FIELDS(ChainedInvokeOptions) {
  v.Req("FunctionName", x.function_name);
  v.Opt("TenantId", x.tenant_id);
  v.Opt("XAmznTraceId", x.x_amzn_trace_id);
}

DURAFN_FIELDS(OperationUpdate) {
  v.Req("Id", x.id);
  v.Opt("ParentId", x.parent_id);
  v.Opt("Name", x.name);
  v.Req("Type", x.type);
  v.Opt("SubType", x.sub_type);
  v.Req("Action", x.action);
  v.Opt("Payload", x.payload);
  v.Opt("Error", x.error);
  v.Opt("ContextOptions", x.context_options);
  v.Opt("StepOptions", x.step_options);
  v.Opt("WaitOptions", x.wait_options);
  v.Opt("CallbackOptions", x.callback_options);
  v.Opt("ChainedInvokeOptions", x.chained_invoke_options);
}

DURAFN_FIELDS(EventPayload) {
  v.Opt("Payload", x.payload);
  v.Opt("Truncated", x.truncated);
}

DURAFN_FIELDS(EventError) {
  v.Opt("Payload", x.payload);
  v.Opt("Truncated", x.truncated);
}

DURAFN_FIELDS(RetryDetails) {
  v.Opt("CurrentAttempt", x.current_attempt);
  v.Opt("NextAttemptDelaySeconds", x.next_attempt_delay_seconds);
}

template <EventType E>
struct Fields<EmptyDetails<E>> {
  template <class V, class S>
  static void Visit(V&, S&) {}
};

template <EventType E>
struct Fields<ResultDetails<E>> {
  template <class V, class S>
  static void Visit(V& v, S& x) {
    v.ReqOrEmpty("Result", x.result);
  }
};

template <EventType E>
struct Fields<ErrorDetails<E>> {
  template <class V, class S>
  static void Visit(V& v, S& x) {
    v.ReqOrEmpty("Error", x.error);
  }
};

template <EventType E>
struct Fields<OptionalErrorDetails<E>> {
  template <class V, class S>
  static void Visit(V& v, S& x) {
    v.Opt("Error", x.error);
  }
};

// The model requires ExecutionTimeout, but AWS's local test backend omits it (see the
// recorded traces), so reading tolerates its absence; durafn always writes it.
DURAFN_FIELDS(ExecutionStartedDetails) {
  v.ReqOrEmpty("Input", x.input);
  v.Opt("ExecutionTimeout", x.execution_timeout);
}

DURAFN_FIELDS(WaitStartedDetails) {
  v.Req("Duration", x.duration);
  v.Req("ScheduledEndTimestamp", x.scheduled_end_timestamp);
}

DURAFN_FIELDS(WaitSucceededDetails) {
  v.Opt("Duration", x.duration);
}

DURAFN_FIELDS(StepSucceededDetails) {
  v.ReqOrEmpty("Result", x.result);
  v.ReqOrEmpty("RetryDetails", x.retry_details);
}

DURAFN_FIELDS(StepFailedDetails) {
  v.ReqOrEmpty("Error", x.error);
  v.ReqOrEmpty("RetryDetails", x.retry_details);
}

DURAFN_FIELDS(ChainedInvokeStartedDetails) {
  v.Req("FunctionName", x.function_name);
  v.Opt("TenantId", x.tenant_id);
  v.Opt("Input", x.input);
  v.Opt("ExecutedVersion", x.executed_version);
  v.Opt("DurableExecutionArn", x.durable_execution_arn);
}

DURAFN_FIELDS(CallbackStartedDetails) {
  v.Req("CallbackId", x.callback_id);
  v.Opt("HeartbeatTimeout", x.heartbeat_timeout);
  v.Opt("Timeout", x.timeout);
}

DURAFN_FIELDS(InvocationCompletedDetails) {
  v.Req("StartTimestamp", x.start_timestamp);
  v.Req("EndTimestamp", x.end_timestamp);
  v.Req("RequestId", x.request_id);
  v.Opt("Error", x.error);
}

// The details member is named after the event type ("StepStartedDetails"); which
// alternative of EventDetails to read is chosen by EventType.
template <std::size_t I = 0>
void ReadDetails(Reader& r, EventType type, EventDetails& out) {
  if constexpr (I < std::variant_size_v<EventDetails>) {
    if (static_cast<std::size_t>(type) != I) return ReadDetails<I + 1>(r, type, out);
    auto& d = out.emplace<I>();
    r.ReqOrEmpty(std::string(ToString(type)) + "Details", d);
  }
}

template <>
struct Fields<Event> {
  static void Visit(Reader& r, Event& x) {
    EventType type{};
    r.Req("EventType", type);
    r.Opt("SubType", x.sub_type);
    r.Req("EventId", x.event_id);
    r.Opt("Id", x.id);
    r.Opt("Name", x.name);
    r.Req("EventTimestamp", x.event_timestamp);
    r.Opt("ParentId", x.parent_id);
    ReadDetails(r, type, x.details);
  }
  static void Visit(Writer& w, const Event& x) {
    w.Req("EventType", x.type());
    w.Opt("SubType", x.sub_type);
    w.Req("EventId", x.event_id);
    w.Opt("Id", x.id);
    w.Opt("Name", x.name);
    w.Req("EventTimestamp", x.event_timestamp);
    w.Opt("ParentId", x.parent_id);
    std::visit([&](const auto& d) { w.Req(std::string(ToString(x.type())) + "Details", d); },
               x.details);
  }
};

DURAFN_FIELDS(ExecutionState) {
  v.Req("Operations", x.operations);
  v.Opt("NextMarker", x.next_marker);
}

DURAFN_FIELDS(InvocationEnvelope) {
  v.Req("DurableExecutionArn", x.durable_execution_arn);
  v.Req("CheckpointToken", x.checkpoint_token);
  v.Req("InitialExecutionState", x.initial_execution_state);
  v.Opt("UpdatedOperationIds", x.updated_operation_ids);
}

DURAFN_FIELDS(InvocationOutput) {
  v.Req("Status", x.status);
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
}

DURAFN_FIELDS(DurableConfig) {
  v.Opt("KMSKeyArn", x.kms_key_arn);
  v.Opt("RetentionPeriodInDays", x.retention_period_in_days);
  v.Opt("ExecutionTimeout", x.execution_timeout);
}

DURAFN_FIELDS(TraceHeader) {
  v.Opt("XAmznTraceId", x.x_amzn_trace_id);
}

DURAFN_FIELDS(CheckpointDurableExecutionRequest) {
  v.Opt("DurableExecutionArn", x.durable_execution_arn);
  v.Req("CheckpointToken", x.checkpoint_token);
  v.Opt("Updates", x.updates);
  v.Opt("ClientToken", x.client_token);
}

DURAFN_FIELDS(CheckpointUpdatedExecutionState) {
  v.Opt("Operations", x.operations);
  v.Opt("NextMarker", x.next_marker);
}

DURAFN_FIELDS(CheckpointDurableExecutionResponse) {
  v.Opt("CheckpointToken", x.checkpoint_token);
  v.Req("NewExecutionState", x.new_execution_state);
}

DURAFN_FIELDS(GetDurableExecutionStateRequest) {
  v.Opt("DurableExecutionArn", x.durable_execution_arn);
  v.Req("CheckpointToken", x.checkpoint_token);
  v.Opt("Marker", x.marker);
  v.Opt("MaxItems", x.max_items);
}

DURAFN_FIELDS(GetDurableExecutionStateResponse) {
  v.Req("Operations", x.operations);
  v.Opt("NextMarker", x.next_marker);
}

DURAFN_FIELDS(GetDurableExecutionResponse) {
  v.Req("DurableExecutionArn", x.durable_execution_arn);
  v.Req("DurableExecutionName", x.durable_execution_name);
  v.Req("FunctionArn", x.function_arn);
  v.Opt("InputPayload", x.input_payload);
  v.Opt("Result", x.result);
  v.Opt("Error", x.error);
  v.Req("StartTimestamp", x.start_timestamp);
  v.Req("Status", x.status);
  v.Opt("EndTimestamp", x.end_timestamp);
  v.Opt("Version", x.version);
  v.Opt("TraceHeader", x.trace_header);
  v.Opt("ExecutionDataIncluded", x.execution_data_included);
  v.Opt("DurableConfig", x.durable_config);
}

DURAFN_FIELDS(GetDurableExecutionHistoryResponse) {
  v.Req("Events", x.events);
  v.Opt("NextMarker", x.next_marker);
}

DURAFN_FIELDS(ExecutionSummary) {
  v.Req("DurableExecutionArn", x.durable_execution_arn);
  v.Req("DurableExecutionName", x.durable_execution_name);
  v.Req("FunctionArn", x.function_arn);
  v.Req("Status", x.status);
  v.Req("StartTimestamp", x.start_timestamp);
  v.Opt("EndTimestamp", x.end_timestamp);
  v.Opt("KMSKeyArn", x.kms_key_arn);
}

DURAFN_FIELDS(ListDurableExecutionsByFunctionResponse) {
  v.Opt("DurableExecutions", x.durable_executions);
  v.Opt("NextMarker", x.next_marker);
}

DURAFN_FIELDS(StopDurableExecutionResponse) {
  v.Req("StopTimestamp", x.stop_timestamp);
}

#undef DURAFN_FIELDS

// Operations are most of a resumed invocation's input (one per finished operation), so they
// are read in one pass over their members rather than one lookup per field. Returns false
// when the operation is not valid; the field-by-field reader then reports the same error
// it always has, as it checks the fields in their declared order.
bool ReadOperationInOnePass(const In& in, Operation& x) {
  if (!in.j.is_object()) return false;
  enum : unsigned { kId = 1, kType = 2, kStart = 4, kStatus = 8 };
  unsigned required = 0;
  try {
    for (const auto& [k, v] : in.j.get_ref<const json::object_t&>()) {
      if (v.is_null()) continue;  // null reads as absent
      const In m = in.Member(k, v);
      switch (k.size()) {
        case 2:
          if (k == "Id") {
            Read(m, x.id);
            required |= kId;
          }
          break;
        case 4:
          if (k == "Name") {
            Read(m, x.name.emplace());
          } else if (k == "Type") {
            Read(m, x.type);
            required |= kType;
          }
          break;
        case 6:
          if (k == "Status") {
            Read(m, x.status);
            required |= kStatus;
          }
          break;
        case 7:
          if (k == "SubType") Read(m, x.sub_type.emplace());
          break;
        case 8:
          if (k == "ParentId") Read(m, x.parent_id.emplace());
          break;
        case 11:
          if (k == "StepDetails") {
            Read(m, x.step_details.emplace());
          } else if (k == "WaitDetails") {
            Read(m, x.wait_details.emplace());
          }
          break;
        case 12:
          if (k == "EndTimestamp") Read(m, x.end_timestamp.emplace());
          break;
        case 14:
          if (k == "StartTimestamp") {
            Read(m, x.start_timestamp);
            required |= kStart;
          } else if (k == "ContextDetails") {
            Read(m, x.context_details.emplace());
          }
          break;
        case 15:
          if (k == "CallbackDetails") Read(m, x.callback_details.emplace());
          break;
        case 16:
          if (k == "ExecutionDetails") Read(m, x.execution_details.emplace());
          break;
        case 20:
          if (k == "ChainedInvokeDetails") Read(m, x.chained_invoke_details.emplace());
          break;
        default:
          break;  // members the model does not define are ignored
      }
    }
  } catch (const DecodeError&) {
    return false;
  }
  return required == (kId | kType | kStart | kStatus);
}

}  // namespace

template <class T>
Result<T> Decode(const nlohmann::json& json, TimeFormat format) {
  T value{};
  try {
    Read(In{json, format, nullptr, {}, In::kNoIndex}, value);
  } catch (const DecodeError& e) {
    return Status::InvalidArgument(e.message);
  }
  return value;
}

template <class T>
nlohmann::json Encode(const T& value, TimeFormat format) {
  return Write(value, format);
}

Result<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                                   e.what());
  }
}

#define DURAFN_INSTANTIATE(T)                                      \
  template Result<T> Decode<T>(const nlohmann::json&, TimeFormat); \
  template nlohmann::json Encode<T>(const T&, TimeFormat);

DURAFN_INSTANTIATE(ErrorObject)
DURAFN_INSTANTIATE(Operation)
DURAFN_INSTANTIATE(OperationUpdate)
DURAFN_INSTANTIATE(Event)
DURAFN_INSTANTIATE(ExecutionState)
DURAFN_INSTANTIATE(InvocationEnvelope)
DURAFN_INSTANTIATE(InvocationOutput)
DURAFN_INSTANTIATE(DurableConfig)
DURAFN_INSTANTIATE(CheckpointDurableExecutionRequest)
DURAFN_INSTANTIATE(CheckpointDurableExecutionResponse)
DURAFN_INSTANTIATE(GetDurableExecutionStateRequest)
DURAFN_INSTANTIATE(GetDurableExecutionStateResponse)
DURAFN_INSTANTIATE(GetDurableExecutionResponse)
DURAFN_INSTANTIATE(GetDurableExecutionHistoryResponse)
DURAFN_INSTANTIATE(ExecutionSummary)
DURAFN_INSTANTIATE(ListDurableExecutionsByFunctionResponse)
DURAFN_INSTANTIATE(StopDurableExecutionResponse)
#undef DURAFN_INSTANTIATE

}  // namespace durafn::protocol
