// The errors a durable handler sees, mirroring AWS's SDK error classes. Each carries the
// ErrorType string AWS writes on the wire, so a C++ function's failures read like a JS one's.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace durafn {

// The wire form of an error (an ErrorObject): type, message, optional data and cause.
struct ErrorInfo {
  std::string type;
  std::string message;
  std::optional<std::string> data;
  std::shared_ptr<const ErrorInfo> cause;  // the error this one wraps, if any
};

// Base of every error with an explicit ErrorType. Throw it (or a subclass) from user code to
// choose the ErrorType recorded for a failed step or handler; other std::exceptions are
// recorded with their class name ("Error" for standard library classes).
class Error : public std::runtime_error {
 public:
  Error(std::string type, const std::string& message, std::optional<std::string> data = {},
        std::shared_ptr<const ErrorInfo> cause = {});
  // The wire ErrorType, e.g. "StepError" or a user class name.
  const std::string& error_type() const { return type_; }
  // ErrorData as sent by whoever failed the operation (e.g. a callback failure), if any.
  const std::optional<std::string>& error_data() const { return data_; }
  // The error this one wraps (for StepError: the step's own failure), if any.
  const std::shared_ptr<const ErrorInfo>& cause() const { return cause_; }
  // This error in wire form.
  ErrorInfo info() const;

 private:
  std::string type_;
  std::optional<std::string> data_;
  std::shared_ptr<const ErrorInfo> cause_;
};

// Errors of durable operations, rebuilt from the checkpointed ErrorObject on replay.
class DurableOperationError : public Error {
  using Error::Error;
};

#define DURAFN_DECLARE_ERROR(Name, Base)                                                \
  class Name : public Base {                                                            \
   public:                                                                              \
    explicit Name(const std::string& message, std::optional<std::string> data = {},     \
                  std::shared_ptr<const ErrorInfo> cause = {})                          \
        : Base(#Name, message, std::move(data), std::move(cause)) {}                    \
                                                                                        \
   protected:                                                                           \
    Name(std::string type, const std::string& message, std::optional<std::string> data, \
         std::shared_ptr<const ErrorInfo> cause)                                        \
        : Base(std::move(type), message, std::move(data), std::move(cause)) {}          \
  };

// A step failed for good (retries exhausted or not retryable). ErrorType "StepError".
DURAFN_DECLARE_ERROR(StepError, DurableOperationError)
// An at-most-once step found its previous attempt interrupted. "StepInterruptedError".
DURAFN_DECLARE_ERROR(StepInterruptedError, DurableOperationError)
// A callback did not succeed. "CallbackError".
DURAFN_DECLARE_ERROR(CallbackError, DurableOperationError)
// The callback was failed by SendDurableExecutionCallbackFailure. "CallbackExternalError".
DURAFN_DECLARE_ERROR(CallbackExternalError, CallbackError)
// The callback (or its heartbeat) timed out. "CallbackTimeoutError".
DURAFN_DECLARE_ERROR(CallbackTimeoutError, CallbackError)
// wait_for_callback's submitter step failed. "CallbackSubmitterError".
DURAFN_DECLARE_ERROR(CallbackSubmitterError, CallbackError)
// A chained invoke failed, timed out or was stopped. "InvokeError".
DURAFN_DECLARE_ERROR(InvokeError, DurableOperationError)
// A child context's function threw. "ChildContextError".
DURAFN_DECLARE_ERROR(ChildContextError, DurableOperationError)
// wait_for_condition's check threw or the wait strategy gave up. "WaitForConditionError".
DURAFN_DECLARE_ERROR(WaitForConditionError, DurableOperationError)
// BatchResult::throw_if_error() on a batch with failed items. "BatchError".
DURAFN_DECLARE_ERROR(BatchError, DurableOperationError)
// Invalid configuration passed to a durable operation (e.g. max_concurrency <= 0).
DURAFN_DECLARE_ERROR(ValidationError, Error)
// Replay found an operation of another type, name or subtype at the same id: the handler
// is not deterministic. Fails the execution. "NonDeterministicExecutionError".
DURAFN_DECLARE_ERROR(NonDeterministicExecutionError, Error)
#undef DURAFN_DECLARE_ERROR

// Rebuilds the operation error AWS's SDK would raise for a stored ErrorObject: the durable
// error classes by their ErrorType, anything else as a StepError whose cause is the stored
// error.
[[noreturn]] void ThrowDurableError(const ErrorInfo& info);

// The wire form of any exception: durafn::Error keeps its type; other std::exceptions get
// their class name (standard library classes: "Error"); `fallback_message` for non-std ones.
ErrorInfo ErrorInfoFromException(std::exception_ptr e);

}  // namespace durafn
