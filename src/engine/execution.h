// The complete state of one durable execution, as the engine reads and writes it. The
// store persists it; the engine never keeps state anywhere else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/operation_table.h"
#include "protocol/api_shapes.h"
#include "protocol/enums.h"
#include "protocol/error_object.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

// The invocation currently running the handler (at most one, §5.2).
struct Invocation {
  std::string request_id;
  protocol::Timestamp started_at;
  int64_t first_token_sequence = 0;  // token_sequence of the envelope's token
  bool operator==(const Invocation&) const = default;
};

// Where the execution stands with respect to invocations. Exactly one holds at a time,
// which is what makes "one invocation at a time" checkable.
enum class InvocationPhase {
  kIdle,          // nothing to run until a timer, callback or chained invoke completes
  kQueued,        // QueueInvocation was emitted; waiting for BeginInvocation
  kRunning,       // `invocation` is in flight
  kRetryBackoff,  // a failed invocation will be retried at `invocation_retry_due`
};

// The last accepted checkpoint, kept to answer a retried request identically (§5.3).
struct CheckpointReplay {
  std::string client_token;
  std::string inbound_token;
  protocol::CheckpointDurableExecutionResponse response;
  bool operator==(const CheckpointReplay&) const = default;
};

struct ExecutionRecord {
  std::string arn;
  std::string name;
  std::string function_arn;  // qualified by `version`
  std::string version;
  protocol::ExecutionStatus status = protocol::ExecutionStatus::kRunning;
  protocol::Timestamp start_timestamp;
  std::optional<protocol::Timestamp> end_timestamp;
  std::optional<std::string> input_payload;
  std::optional<std::string> result;           // SUCCEEDED only
  std::optional<protocol::ErrorObject> error;  // FAILED, TIMED_OUT, STOPPED
  int64_t execution_timeout_seconds = 0;
  int64_t retention_days = 0;
  // Started by a RequestResponse invoke: the EXECUTION update may carry up to 6 MiB.
  bool sync = false;
  // Skip-time mode (tests, local development): the shell runs this execution on a virtual
  // clock `skipped_ms` ahead of the wall clock, advancing it to the next timer whenever no
  // invocation is in flight. The engine only ever sees the virtual time it is given.
  bool skip_time = false;
  int64_t skipped_ms = 0;

  // EventId of the next history event; 1 is ExecutionStarted.
  int64_t next_event_id = 1;
  // Id of the EXECUTION operation: the last segment of `arn` (§3.2 rule 1).
  std::string execution_operation_id;

  // Incremented for every token issued; the current invocation accepts only the latest.
  int64_t token_sequence = 0;
  InvocationPhase phase = InvocationPhase::kIdle;
  std::optional<Invocation> invocation;                     // set iff phase == kRunning
  std::optional<protocol::Timestamp> invocation_retry_due;  // set iff phase == kRetryBackoff
  int consecutive_failed_invocations = 0;

  // Operations the service changed (timer, callback, chained invoke) that the next
  // envelope reports as UpdatedOperationIds: change order, no duplicates (§6.2).
  std::vector<std::string> updated_operation_ids;
  // Something became ready that the running invocation has not seen; when it ends PENDING
  // it is re-invoked at once (the deferred re-invoke of §5.2).
  bool pending_service_changes = false;

  // Incremented on every change of any operation (OperationEntry::changed_at).
  int64_t change_counter = 0;
  // change_counter as of the last state the handler received (envelope or checkpoint
  // response); operations changed later form the next NewExecutionState (§5.6).
  int64_t handler_seen_change = 0;

  std::optional<CheckpointReplay> last_checkpoint;

  bool operator==(const ExecutionRecord&) const = default;
};

struct ExecutionState {
  ExecutionRecord record;
  OperationTable ops;  // the EXECUTION operation first
  bool operator==(const ExecutionState&) const = default;
};

// Aborts (assert) if `state` breaks an invariant the engine maintains. Operations whose
// change counter (OperationEntry::changed_at) is at most `changed_since` are skipped: a
// mutation passes the counter it started from and pays for what it touched (plus one
// integer compare per operation), where a full check costs hash lookups for every
// operation on every checkpoint. 0 checks everything.
void AssertInvariants(const ExecutionState& state, int64_t changed_since = 0);

// The EXECUTION operation. Requires a started execution.
const OperationEntry& ExecutionOperation(const ExecutionState& state);
OperationEntry& ExecutionOperation(ExecutionState& state);

}  // namespace durafn::engine
