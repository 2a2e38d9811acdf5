// ContextImpl: one durable context (the root, a child context, a parallel branch or a map
// item): its operation-id namespace and counter, and the suspension flag of the thread of
// control it belongs to.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "durafn/durable_context.h"
#include "protocol/enums.h"
#include "protocol/operation.h"
#include "protocol/operation_update.h"
#include "sdk/execution_state.h"

namespace durafn::sdk {

inline constexpr std::size_t kChildPayloadLimit = 256 * 1024;

struct ContextImpl {
  std::shared_ptr<ExecutionState> state;
  std::string path;               // logical path ("" for the root)
  std::optional<std::string> id;  // hashed id: the ParentId of operations created inside
  uint64_t counter = 0;
  // Set when code in this thread of control suspended; shared with nested child contexts,
  // fresh for each parallel branch or map item.
  std::shared_ptr<std::atomic<bool>> suspended;

  struct OpRef {
    std::string path;
    std::string id;
  };
  // The next operation's path and id (the counter advances on every call, replay or not).
  OpRef NextOp();

  // Marks this thread of control suspended and unwinds.
  [[noreturn]] void SuspendNow();
  // An operation called after a suspension was swallowed keeps unwinding.
  void ThrowIfSuspended() const;

  // The stored operation at `id` after checking it matches what the handler now asks for
  // (NonDeterministicExecutionError otherwise). Leaves replay mode when the operation is
  // new or not finished.
  std::shared_ptr<const protocol::Operation> Lookup(const std::string& id,
                                                    protocol::OperationType type,
                                                    std::string_view name,
                                                    std::string_view sub_type);

  // An update for an operation of this context, with ParentId, Name and SubType filled.
  protocol::OperationUpdate Update(const std::string& id, protocol::OperationType type,
                                   std::string_view sub_type, std::string_view name,
                                   protocol::OperationAction action) const;

  // A child context for the operation (path, id), sharing this one's suspension flag.
  std::shared_ptr<ContextImpl> Child(const OpRef& op) const;
};

// An ErrorObject from an ErrorInfo (the cause chain is not part of the wire object).
protocol::ErrorObject ToErrorObject(const ErrorInfo& info);
// An ErrorInfo from a stored ErrorObject (missing members become "").
ErrorInfo FromErrorObject(const std::optional<protocol::ErrorObject>& e);

// Runs a child context's function with the CONTEXT checkpoints around it (shared by
// run_in_child_context, wait_for_callback, parallel and map). `rethrow_original`: a failure
// surfaces as the original error type instead of ChildContextError. `virtual_context` (FLAT
// map/parallel items): nothing is checkpointed for the context itself; it keeps its own id
// namespace, but the operations inside it name the parent's context as their ParentId.
nlohmann::json RunChildContext(ContextImpl& parent, const ContextImpl::OpRef& op,
                               std::string_view name, std::string_view sub_type,
                               const DurableContext::ChildFn& fn, const ChildContextConfig& config,
                               bool rethrow_original,
                               std::shared_ptr<std::atomic<bool>> suspended_flag = nullptr,
                               bool virtual_context = false);

}  // namespace durafn::sdk
