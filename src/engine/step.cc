// STEP (protocol.md §4.5.1). Attempt counts finished attempts: START leaves it, SUCCEED,
// FAIL and RETRY add one, so RetryDetails.CurrentAttempt is Attempt after the update.
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {

using protocol::OperationAction;
using protocol::OperationStatus;

void ApplyStep(Recorder& r, const protocol::OperationUpdate& u) {
  OperationEntry& e = FindOrCreate(r, u);
  protocol::Operation& op = e.op;
  protocol::StepDetails& d = op.step_details ? *op.step_details : op.step_details.emplace();
  if (!d.attempt) d.attempt = 0;

  switch (u.action) {
    case OperationAction::kStart:
      assert(op.status == OperationStatus::kStarted || op.status == OperationStatus::kReady);
      op.status = OperationStatus::kStarted;
      d.next_attempt_timestamp.reset();
      r.Touch(e);
      r.OperationEvent(e, protocol::StepStartedDetails{});
      return;
    case OperationAction::kSucceed:
    case OperationAction::kFail: {
      bool succeed = u.action == OperationAction::kSucceed;
      *d.attempt += 1;
      d.next_attempt_timestamp.reset();
      d.result = succeed ? u.payload : std::nullopt;
      d.error = succeed ? std::nullopt : u.error;
      op.status = succeed ? OperationStatus::kSucceeded : OperationStatus::kFailed;
      op.end_timestamp = r.now();
      r.Touch(e);
      protocol::RetryDetails retry{*d.attempt, std::nullopt};
      if (succeed) {
        r.OperationEvent(e, protocol::StepSucceededDetails{EventPayloadOf(d.result), retry});
      } else {
        r.OperationEvent(e, protocol::StepFailedDetails{EventErrorOf(d.error), retry});
      }
      return;
    }
    case OperationAction::kRetry: {
      assert(u.step_options);
      // An absent delay means "retry at once" (PYT2); the timer is then due now and
      // completes before this checkpoint answers (§5.5).
      int64_t delay = u.step_options->next_attempt_delay_seconds.value_or(0);
      *d.attempt += 1;
      d.result = u.payload;
      d.error = u.error;
      d.next_attempt_timestamp = protocol::Timestamp{r.now().ms + delay * 1000};
      op.status = OperationStatus::kPending;
      r.Touch(e);
      protocol::RetryDetails retry{*d.attempt, delay};
      // A RETRY without an error is waitForCondition's "not yet": history calls it a
      // success (§4.5.1, pitfall 10).
      if (u.error) {
        r.OperationEvent(e, protocol::StepFailedDetails{EventErrorOf(d.error), retry});
      } else {
        r.OperationEvent(e, protocol::StepSucceededDetails{EventPayloadOf(d.result), retry});
      }
      r.AddEffect(StartTimer{TimerKind::kStepRetry, op.id, *d.next_attempt_timestamp});
      return;
    }
    case OperationAction::kCancel:
      break;
  }
  assert(false && "validated: STEP has no CANCEL");
}

void MakeStepReady(Recorder& r, OperationEntry& step) {
  assert(step.op.type == protocol::OperationType::kStep);
  assert(step.op.status == OperationStatus::kPending);
  step.op.status = OperationStatus::kReady;
  step.op.step_details->next_attempt_timestamp.reset();
  r.ServiceChanged(step);
}

}  // namespace durafn::engine
