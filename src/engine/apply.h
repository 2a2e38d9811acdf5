// Internal to the engine: the state changes behind each operation type (protocol.md §4.5),
// for updates that passed validation and for service-side completions. Each function
// records its events and effects through the Recorder.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/effects.h"
#include "engine/engine.h"
#include "engine/execution.h"
#include "engine/recorder.h"
#include "protocol/operation_update.h"

namespace durafn::engine {

// Applies one validated update of the matching type.
void ApplyStep(Recorder& r, const protocol::OperationUpdate& u);
void ApplyWait(Recorder& r, const protocol::OperationUpdate& u);
void ApplyContext(Recorder& r, const protocol::OperationUpdate& u);
void ApplyCallback(Recorder& r, const protocol::OperationUpdate& u,
                   const CallbackNonceGenerator& new_nonce);
void ApplyChainedInvoke(Recorder& r, const protocol::OperationUpdate& u);
void ApplyExecution(Recorder& r, const protocol::OperationUpdate& u);

// The existing operation `u.id`, or a new one created from `u` (STARTED, StartTimestamp
// now). Pointers into the table are invalidated by a later creation.
OperationEntry& FindOrCreate(Recorder& r, const protocol::OperationUpdate& u);

// Service-side completions; each requires the operation in the state named.
// WAIT STARTED -> SUCCEEDED with WaitSucceeded.
void CompleteWait(Recorder& r, OperationEntry& wait);
// STEP PENDING -> READY (no event).
void MakeStepReady(Recorder& r, OperationEntry& step);
// CALLBACK STARTED -> TIMED_OUT with CallbackTimedOut; `kind` is the timer that fired.
void TimeOutCallback(Recorder& r, OperationEntry& callback, TimerKind kind);

// Completes every operation timer of a RUNNING execution due at or before now (§5.5), and
// cancels the timers it thereby made redundant.
void CompleteDue(Recorder& r);

// Closes the RUNNING execution with `status`: stores the outcome on the record and the
// EXECUTION operation, disarms every timer, appends `event` (an Execution* event) and emits
// ExecutionClosed. A running invocation stays recorded until it reports its end.
void CloseExecution(Recorder& r, protocol::ExecutionStatus status,
                    std::optional<std::string> result, std::optional<protocol::ErrorObject> error,
                    protocol::EventDetails event);

// Every timer the state has armed, with its due time (none once the execution closed).
std::vector<StartTimer> ArmedTimers(const ExecutionState& state);

}  // namespace durafn::engine
