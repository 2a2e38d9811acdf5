#include "store/event_data.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace durafn::store::testing {
namespace {

template <class D>
const D& Details(const protocol::Event& e) {
  return std::get<D>(e.details);
}

TEST(EventData, OmitsPayloadsAndKeepsTheRest) {
  Driver d(ExecutionArn("data"), T(0), "{\"secret\":1}");
  d.Begin(T(1));
  d.Checkpoint({upd::StepStart("s1"), upd::StepSucceed("s1", "\"result\"")}, T(2));
  d.Checkpoint({upd::StepStart("s2"), upd::StepFail("s2", engine::testing::Err("E", "msg"))}, T(3));
  d.Checkpoint({upd::InvokeStart("inv", "fn", "{\"in\":1}")}, T(4));
  d.Checkpoint({upd::WaitStart("w", 10)}, T(5));
  std::vector<protocol::Event> events = d.pending.events;
  for (auto& e : events)
    OmitEventData(e);

  ASSERT_EQ(events[0].type(), protocol::EventType::kExecutionStarted);
  const auto& started = Details<protocol::ExecutionStartedDetails>(events[0]);
  EXPECT_FALSE(started.input.payload.has_value());
  EXPECT_EQ(started.execution_timeout, 3600);  // not data

  int seen = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto& original = d.pending.events[i];
    EXPECT_EQ(e.event_id, original.event_id);
    EXPECT_EQ(e.id, original.id);
    switch (e.type()) {
      case protocol::EventType::kStepSucceeded:
        EXPECT_FALSE(Details<protocol::StepSucceededDetails>(e).result.payload.has_value());
        EXPECT_EQ(Details<protocol::StepSucceededDetails>(e).result.truncated, false);
        ++seen;
        break;
      case protocol::EventType::kStepFailed:
        EXPECT_FALSE(Details<protocol::StepFailedDetails>(e).error.payload.has_value());
        EXPECT_EQ(Details<protocol::StepFailedDetails>(e).retry_details,
                  Details<protocol::StepFailedDetails>(original).retry_details);
        ++seen;
        break;
      case protocol::EventType::kChainedInvokeStarted: {
        const auto& c = Details<protocol::ChainedInvokeStartedDetails>(e);
        ASSERT_TRUE(c.input.has_value());
        EXPECT_FALSE(c.input->payload.has_value());
        EXPECT_EQ(c.function_name, "fn");
        ++seen;
        break;
      }
      case protocol::EventType::kWaitStarted:
        EXPECT_EQ(e, original);  // nothing to omit
        ++seen;
        break;
      default:
        break;
    }
  }
  EXPECT_EQ(seen, 4);
}

}  // namespace
}  // namespace durafn::store::testing
