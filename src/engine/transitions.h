// The per-type state machines of operations (protocol.md §4.4, §4.5) as pure rules: which
// actions a type has, which current statuses admit an update, and where it leads.
#pragma once

#include <optional>
#include <string>

#include "protocol/enums.h"
#include "protocol/operation_update.h"

namespace durafn::engine {

// Whether `type` has `action` at all (§4.4). CALLBACK admits CANCEL (as the JS emulator and
// newer Python emulator do), CHAINED_INVOKE admits START and CANCEL only.
bool IsValidAction(protocol::OperationType type, protocol::OperationAction action);

// Checks `update` against its type's state machine when the operation is currently in
// `current` (nullopt: it does not exist yet). Returns the rejection message, or nullopt when
// the transition is valid. Requires IsValidAction(update.type, update.action).
std::optional<std::string> CheckTransition(std::optional<protocol::OperationStatus> current,
                                           const protocol::OperationUpdate& update);

// The status a valid `update` leaves its operation in (RETRY: PENDING).
protocol::OperationStatus StatusAfter(const protocol::OperationUpdate& update);

}  // namespace durafn::engine
