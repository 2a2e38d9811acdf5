// WAIT (protocol.md §4.5.2).
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {

using protocol::OperationAction;
using protocol::OperationStatus;

void ApplyWait(Recorder& r, const protocol::OperationUpdate& u) {
  if (u.action == OperationAction::kStart) {
    assert(!r.state().ops.Find(u.id));
    assert(u.wait_options && u.wait_options->wait_seconds);
    int64_t seconds = *u.wait_options->wait_seconds;
    OperationEntry& e = FindOrCreate(r, u);
    protocol::Timestamp end{r.now().ms + seconds * 1000};
    e.op.wait_details = protocol::WaitDetails{end};
    e.wait_seconds = seconds;
    r.Touch(e);
    r.OperationEvent(e, protocol::WaitStartedDetails{seconds, end});
    r.AddEffect(StartTimer{TimerKind::kWaitEnd, e.op.id, end});
    return;
  }
  assert(u.action == OperationAction::kCancel);
  OperationEntry* e = r.state().ops.Find(u.id);
  assert(e && e->op.status == OperationStatus::kStarted);
  e->op.status = OperationStatus::kCancelled;
  e->op.end_timestamp = r.now();
  r.Touch(*e);
  r.OperationEvent(*e, protocol::WaitCancelledDetails{u.error ? std::optional(EventErrorOf(u.error))
                                                              : std::nullopt});
  r.AddEffect(CancelTimer{TimerKind::kWaitEnd, e->op.id});
}

void CompleteWait(Recorder& r, OperationEntry& wait) {
  assert(wait.op.type == protocol::OperationType::kWait);
  assert(wait.op.status == OperationStatus::kStarted);
  wait.op.status = OperationStatus::kSucceeded;
  wait.op.end_timestamp = r.now();
  r.OperationEvent(wait, protocol::WaitSucceededDetails{wait.wait_seconds});
  r.ServiceChanged(wait);
}

}  // namespace durafn::engine
