// The checkpoint validation pipeline (protocol.md §4.6) after the token check, and the
// model constraints on identifiers. Validation reads the state only: a rejected batch
// changes nothing, an accepted one can be applied without further checks.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/execution.h"
#include "engine/limits.h"
#include "protocol/api_error.h"
#include "protocol/operation_update.h"

namespace durafn::engine {

// Runs checks 1-9 of §4.6 over `updates` against `state`, in that order (checks 1-3 over
// the whole batch, then 4-9 update by update, each update seeing the effect of the earlier
// ones). Returns the first failure as an InvalidParameterValueException.
std::optional<protocol::ApiError> ValidateUpdates(
    const ExecutionState& state, const std::vector<protocol::OperationUpdate>& updates,
    const Limits& limits);

// The number of operations `updates` would create (ids new to the execution; the EXECUTION
// update creates none). Requires ValidateUpdates to have passed.
std::size_t CountNewOperations(const ExecutionState& state,
                               const std::vector<protocol::OperationUpdate>& updates);

// Model constraints ([MJ]).
// OperationId / ParentId: 1-64 characters of [a-zA-Z0-9-_].
bool IsValidOperationId(std::string_view id);
// Operation Name: 1-256 printable ASCII characters [\x20-\x7E].
bool IsValidOperationName(std::string_view name);
// SubType: 1-32 characters of [a-zA-Z0-9-_].
bool IsValidSubType(std::string_view sub_type);
// ClientToken: 1-64 characters of [\x21-\x7E].
bool IsValidClientToken(std::string_view token);
// TenantId: 1-256 characters of [a-zA-Z0-9._:/=+\-@ ].
bool IsValidTenantId(std::string_view tenant_id);

}  // namespace durafn::engine
