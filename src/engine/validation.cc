#include "engine/validation.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "engine/api_result.h"
#include "engine/transitions.h"
#include "protocol/json_codec.h"

namespace durafn::engine {
namespace {

using protocol::ApiError;
using protocol::OperationAction;
using protocol::OperationStatus;
using protocol::OperationType;
using protocol::OperationUpdate;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool AllChars(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

std::string At(std::size_t i, std::string_view member) {
  return "Updates[" + std::to_string(i) + "]." + std::string(member);
}

// What the batch so far has made of an operation (or what the table holds).
struct View {
  OperationType type;
  std::optional<std::string> sub_type, name, parent_id;
  OperationStatus status;
};

// The state as seen by the update being validated: the table plus the earlier updates.
class BatchView {
 public:
  explicit BatchView(const ExecutionState& state) : state_(state) {}

  std::optional<View> Find(const std::string& id) const {
    if (auto it = overlay_.find(id); it != overlay_.end()) return it->second;
    if (const OperationEntry* e = state_.ops.Find(id)) {
      return View{e->op.type, e->op.sub_type, e->op.name, e->op.parent_id, e->op.status};
    }
    return std::nullopt;
  }

  void Apply(const OperationUpdate& u, const std::optional<View>& before) {
    if (u.type == OperationType::kExecution) return;  // not stored as an operation
    View v =
        before.value_or(View{u.type, u.sub_type, u.name, u.parent_id, OperationStatus::kStarted});
    v.status = StatusAfter(u);
    overlay_[u.id] = v;
  }

 private:
  const ExecutionState& state_;
  std::unordered_map<std::string, View> overlay_;
};

std::optional<ApiError> CheckExecutionUpdates(const std::vector<OperationUpdate>& updates) {
  std::size_t count = 0;
  for (const auto& u : updates) {
    count += u.type == OperationType::kExecution;
  }
  if (count > 1) return InvalidParameter("Cannot checkpoint multiple EXECUTION updates.");
  if (count == 1 && updates.back().type != OperationType::kExecution) {
    return InvalidParameter("EXECUTION checkpoint must be the last update.");
  }
  return std::nullopt;
}

// Checks 2 and 3, interleaved per update as the emulator does: the parent of an update may
// be a CONTEXT started earlier in the same batch.
std::optional<ApiError> CheckDuplicatesAndParents(const ExecutionState& state,
                                                  const std::vector<OperationUpdate>& updates) {
  std::unordered_map<std::string, const OperationUpdate*> last_seen;
  std::unordered_map<std::string, const OperationUpdate*> started;
  for (const auto& u : updates) {
    if (auto it = last_seen.find(u.id); it != last_seen.end()) {
      const OperationUpdate& prev = *it->second;
      bool pair_ok = (prev.type == OperationType::kStep || prev.type == OperationType::kContext) &&
                     prev.action == OperationAction::kStart && u.action != OperationAction::kStart;
      if (!pair_ok)
        return InvalidParameter("Cannot checkpoint multiple operations with the same ID.");
    }
    if (u.parent_id) {
      bool ok = false;
      if (auto it = started.find(*u.parent_id); it != started.end()) {
        ok = it->second->type == OperationType::kContext;
      } else if (const OperationEntry* parent = state.ops.Find(*u.parent_id)) {
        ok = parent->op.type == OperationType::kContext;
      }
      if (!ok) return InvalidParameter("Invalid parent operation id.");
    }
    if (u.action == OperationAction::kStart) started[u.id] = &u;
    last_seen[u.id] = &u;
  }
  return std::nullopt;
}

std::optional<ApiError> CheckConsistency(const OperationUpdate& u, const std::optional<View>& v) {
  if (!v) return std::nullopt;
  if (u.type != v->type) return InvalidParameter("Inconsistent operation type.");
  if (u.sub_type && u.sub_type != v->sub_type) {
    return InvalidParameter("Inconsistent operation subtype.");
  }
  if (u.name && u.name != v->name) return InvalidParameter("Inconsistent operation name.");
  if (u.parent_id && u.parent_id != v->parent_id) {
    return InvalidParameter("Inconsistent parent operation id.");
  }
  return std::nullopt;
}

std::optional<ApiError> CheckSizes(const ExecutionState& state, const OperationUpdate& u,
                                   std::size_t i, const Limits& limits) {
  if (u.error) {
    std::size_t size = protocol::Encode(*u.error).dump().size();
    if (size > limits.max_error_bytes) {
      return InvalidParameter("Error object size must be at most " +
                              std::to_string(limits.max_error_bytes) + " bytes.");
    }
  }
  if (u.payload) {
    std::size_t max = u.type == OperationType::kExecution && state.record.sync
                          ? limits.max_sync_result_bytes
                          : limits.max_operation_payload_bytes;
    if (u.payload->size() > max) {
      return InvalidParameter(At(i, "Payload") + ": size " + std::to_string(u.payload->size()) +
                              " exceeds the limit of " + std::to_string(max) + " bytes.");
    }
  }
  return std::nullopt;
}

std::optional<ApiError> CheckRange(std::size_t i, std::string_view member,
                                   std::optional<int64_t> value, int64_t min, int64_t max) {
  if (!value || (*value >= min && *value <= max)) return std::nullopt;
  return InvalidParameter(At(i, member) + ": must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ".");
}

// Check 9: the model's constraints on every member of the update.
std::optional<ApiError> CheckModel(const OperationUpdate& u, std::size_t i, const Limits& limits) {
  if (!IsValidOperationId(u.id)) {
    return InvalidParameter(At(i, "Id") + ": must be 1-64 characters of [a-zA-Z0-9-_].");
  }
  if (u.parent_id && !IsValidOperationId(*u.parent_id)) {
    return InvalidParameter(At(i, "ParentId") + ": must be 1-64 characters of [a-zA-Z0-9-_].");
  }
  if (u.name && !IsValidOperationName(*u.name)) {
    return InvalidParameter(At(i, "Name") + ": must be 1-256 printable ASCII characters.");
  }
  if (u.sub_type && !IsValidSubType(*u.sub_type)) {
    return InvalidParameter(At(i, "SubType") + ": must be 1-32 characters of [a-zA-Z0-9-_].");
  }
  if (u.wait_options) {
    if (auto e = CheckRange(i, "WaitOptions.WaitSeconds", u.wait_options->wait_seconds, 1,
                            limits.max_wait_seconds)) {
      return e;
    }
  }
  if (u.step_options) {
    if (auto e =
            CheckRange(i, "StepOptions.NextAttemptDelaySeconds",
                       u.step_options->next_attempt_delay_seconds, 1, limits.max_wait_seconds)) {
      return e;
    }
  }
  if (u.callback_options) {
    if (auto e = CheckRange(i, "CallbackOptions.TimeoutSeconds",
                            u.callback_options->timeout_seconds, 0, limits.max_wait_seconds)) {
      return e;
    }
    if (auto e =
            CheckRange(i, "CallbackOptions.HeartbeatTimeoutSeconds",
                       u.callback_options->heartbeat_timeout_seconds, 0, limits.max_wait_seconds)) {
      return e;
    }
  }
  if (u.chained_invoke_options) {
    const auto& o = *u.chained_invoke_options;
    if (o.function_name.empty() || o.function_name.size() > kMaxChainedFunctionNameLength) {
      return InvalidParameter(At(i, "ChainedInvokeOptions.FunctionName") +
                              ": must be 1-170 characters.");
    }
    if (o.tenant_id && !IsValidTenantId(*o.tenant_id)) {
      return InvalidParameter(At(i, "ChainedInvokeOptions.TenantId") +
                              ": must be 1-256 characters of [a-zA-Z0-9._:/=+-@ ].");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> ValidateUpdates(const ExecutionState& state,
                                        const std::vector<OperationUpdate>& updates,
                                        const Limits& limits) {
  if (auto e = CheckExecutionUpdates(updates)) return e;
  if (auto e = CheckDuplicatesAndParents(state, updates)) return e;
  BatchView view(state);
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const OperationUpdate& u = updates[i];
    std::optional<View> current = view.Find(u.id);
    if (auto e = CheckConsistency(u, current)) return e;
    if (auto e = CheckSizes(state, u, i, limits)) return e;
    if (!IsValidAction(u.type, u.action)) {
      return InvalidParameter("Invalid action for the given operation type.");
    }
    // The EXECUTION update names no stored operation: its transition is the execution's.
    std::optional<OperationStatus> status;
    if (current && u.type != OperationType::kExecution) status = current->status;
    if (auto message = CheckTransition(status, u)) return InvalidParameter(*message);
    if (auto e = CheckModel(u, i, limits)) return e;
    view.Apply(u, current);
  }
  return std::nullopt;
}

std::size_t CountNewOperations(const ExecutionState& state,
                               const std::vector<OperationUpdate>& updates) {
  std::unordered_set<std::string_view> fresh;
  for (const auto& u : updates) {
    if (u.type != OperationType::kExecution && !state.ops.Find(u.id)) fresh.insert(u.id);
  }
  return fresh.size();
}

bool IsValidOperationId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxOperationIdLength && AllChars(id, IsIdChar);
}

bool IsValidOperationName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxOperationNameLength &&
         AllChars(name, [](char c) { return c >= 0x20 && c <= 0x7E; });
}

bool IsValidSubType(std::string_view sub_type) {
  return !sub_type.empty() && sub_type.size() <= kMaxSubTypeLength && AllChars(sub_type, IsIdChar);
}

bool IsValidClientToken(std::string_view token) {
  return !token.empty() && token.size() <= kMaxClientTokenLength &&
         AllChars(token, [](char c) { return c >= 0x21 && c <= 0x7E; });
}

bool IsValidTenantId(std::string_view tenant_id) {
  return !tenant_id.empty() && tenant_id.size() <= kMaxTenantIdLength &&
         AllChars(tenant_id, [](char c) {
           return IsIdChar(c) || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' ||
                  c == '@' || c == ' ';
         });
}

}  // namespace durafn::engine
