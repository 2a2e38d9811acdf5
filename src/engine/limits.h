// The named bounds the engine enforces on one durable execution (protocol.md §5.4, §9).
//
// Tunable limits live in `Limits` so a deployment (or a test) can tighten them; constraints
// fixed by the Lambda API model are constants, because clients already rely on them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace durafn::engine {

// Tunable limits of one execution. Defaults follow the documented service limits.
struct Limits {
  // Largest OperationUpdate.Payload for every type except the EXECUTION update of a
  // synchronous execution (1 MiB, [M] doc of OperationUpdate.Payload).
  std::size_t max_operation_payload_bytes = 1'048'576;
  // Largest execution result: the payload of the EXECUTION update of a synchronous
  // execution, and the Result of a handler output (6 MiB, [MJ] OutputPayload).
  std::size_t max_sync_result_bytes = 6'291'456;
  // Largest ErrorObject, measured as the size of its JSON text (service doc: 1 MB; the
  // emulators use 32 KiB — set this to 32'768 for emulator parity).
  std::size_t max_error_bytes = 1'048'576;
  // Updates accepted in one CheckpointDurableExecution call (SDKs send at most 250).
  std::size_t max_updates_per_checkpoint = 1000;
  // Operations one execution may create, the EXECUTION operation included.
  std::size_t max_operations_per_execution = 25'000;
  // Upper bound of WaitSeconds, NextAttemptDelaySeconds, callback timeouts and the
  // execution timeout (366 days, the model's maximum).
  int64_t max_wait_seconds = 31'622'400;
  // Consecutive failed invocations after which the execution fails (§3.4 rule 6).
  int max_consecutive_failed_invocations = 5;
  // Delay before the service retries a failed invocation.
  int64_t invocation_retry_backoff_seconds = 5;
  // Byte budget of the operations on the first page of an invocation envelope (the
  // Lambda event limit is 6 MB; PYT2 uses 5 MiB).
  std::size_t max_envelope_bytes = 5'242'880;
  // Byte budget of one GetDurableExecutionState page.
  std::size_t max_state_page_bytes = 5'242'880;
  // GetDurableExecutionState MaxItems: the model's range is 0-1000; 0 or absent means
  // the default page size.
  int64_t max_state_page_items = 1000;
  int64_t default_state_page_items = 100;
  // Async execution input (1 MiB) versus sync input (6 MiB, max_sync_result_bytes).
  std::size_t max_async_input_bytes = 1'048'576;
  // DurableConfig.RetentionPeriodInDays range.
  int64_t max_retention_days = 90;
};

// Constraints of the Lambda API model ([MJ]); not tunable.
inline constexpr std::size_t kMaxOperationIdLength = 64;
inline constexpr std::size_t kMaxOperationNameLength = 256;
inline constexpr std::size_t kMaxSubTypeLength = 32;
inline constexpr std::size_t kMaxClientTokenLength = 64;
inline constexpr std::size_t kMaxTenantIdLength = 256;
inline constexpr std::size_t kMaxChainedFunctionNameLength = 170;
inline constexpr std::size_t kMaxCheckpointTokenLength = 2048;
inline constexpr std::size_t kMaxCallbackIdLength = 1024;
// Our own bounds on the identifiers the shell passes in, so tokens and callback ids built
// from them always fit the model's length limits above.
inline constexpr std::size_t kMaxRequestIdLength = 128;
inline constexpr std::size_t kMaxCallbackNonceLength = 64;
inline constexpr std::size_t kMaxExecutionArnLength = 512;

}  // namespace durafn::engine
