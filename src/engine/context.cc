// CONTEXT (protocol.md §4.5.3). The service does nothing asynchronous for contexts;
// ReplayChildren only changes which operations later envelopes carry (§3.2 rule 4).
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {

using protocol::OperationAction;
using protocol::OperationStatus;

void ApplyContext(Recorder& r, const protocol::OperationUpdate& u) {
  OperationEntry& e = FindOrCreate(r, u);
  switch (u.action) {
    case OperationAction::kStart:
      r.Touch(e);
      r.OperationEvent(e, protocol::ContextStartedDetails{});
      return;
    case OperationAction::kSucceed:
    case OperationAction::kFail: {
      assert(e.op.status == OperationStatus::kStarted);
      bool succeed = u.action == OperationAction::kSucceed;
      protocol::ContextDetails& d =
          e.op.context_details ? *e.op.context_details : e.op.context_details.emplace();
      if (u.context_options && u.context_options->replay_children) {
        d.replay_children = u.context_options->replay_children;
      }
      d.result = succeed ? u.payload : std::nullopt;
      d.error = succeed ? std::nullopt : u.error;
      e.op.status = succeed ? OperationStatus::kSucceeded : OperationStatus::kFailed;
      e.op.end_timestamp = r.now();
      r.Touch(e);
      if (succeed) {
        r.OperationEvent(e, protocol::ContextSucceededDetails{EventPayloadOf(d.result)});
      } else {
        r.OperationEvent(e, protocol::ContextFailedDetails{EventErrorOf(d.error)});
      }
      return;
    }
    default:
      break;
  }
  assert(false && "validated: CONTEXT has START, SUCCEED and FAIL only");
}

}  // namespace durafn::engine
