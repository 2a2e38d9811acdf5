// History without execution data (GetDurableExecutionHistory IncludeExecutionData=false).
#pragma once

#include "protocol/event.h"

namespace durafn::store {

// Removes the Payload member of every EventInput, EventResult and EventError in `event`'s
// details (inputs, results, errors); everything else, Truncated included, is kept (§2.6).
void OmitEventData(protocol::Event& event);

}  // namespace durafn::store
