#include "protocol/enums.h"

#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

template <class E>
void ExpectBijection() {
  for (std::size_t i = 0; i < EnumInfo<E>::kWire.size(); ++i) {
    auto e = static_cast<E>(i);
    auto back = ParseEnum<E>(ToString(e));
    ASSERT_TRUE(back.has_value()) << ToString(e);
    EXPECT_EQ(*back, e);
  }
}

TEST(Enums, EveryValueRoundTrips) {
  ExpectBijection<OperationType>();
  ExpectBijection<OperationStatus>();
  ExpectBijection<OperationAction>();
  ExpectBijection<ExecutionStatus>();
  ExpectBijection<InvocationStatus>();
  ExpectBijection<InvocationType>();
  ExpectBijection<EventType>();
}

TEST(Enums, WireSpellingsAreExact) {
  EXPECT_EQ(ToString(OperationType::kChainedInvoke), "CHAINED_INVOKE");
  EXPECT_EQ(ToString(OperationStatus::kTimedOut), "TIMED_OUT");
  EXPECT_EQ(ToString(OperationAction::kRetry), "RETRY");
  EXPECT_EQ(ToString(ExecutionStatus::kStopped), "STOPPED");
  EXPECT_EQ(ToString(EventType::kChainedInvokeTimedOut), "ChainedInvokeTimedOut");
  EXPECT_EQ(ToString(EventType::kInvocationCompleted), "InvocationCompleted");
  EXPECT_EQ(ToString(InvocationType::kRequestResponse), "RequestResponse");
  EXPECT_EQ(EnumInfo<EventType>::kWire.size(), 24u);
}

TEST(Enums, ParsingIsCaseSensitiveAndRejectsUnknowns) {
  EXPECT_FALSE(ParseEnum<OperationType>("step").has_value());
  EXPECT_FALSE(ParseEnum<OperationType>("").has_value());
  EXPECT_FALSE(ParseEnum<OperationType>("STEP ").has_value());
  EXPECT_FALSE(ParseEnum<EventType>("StepRetried").has_value());
  EXPECT_FALSE(ParseEnum<ExecutionStatus>("CANCELLED").has_value());
}

TEST(Enums, TerminalStatuses) {
  EXPECT_FALSE(IsTerminal(OperationStatus::kStarted));
  EXPECT_FALSE(IsTerminal(OperationStatus::kPending));
  EXPECT_FALSE(IsTerminal(OperationStatus::kReady));
  EXPECT_TRUE(IsTerminal(OperationStatus::kSucceeded));
  EXPECT_TRUE(IsTerminal(OperationStatus::kFailed));
  EXPECT_TRUE(IsTerminal(OperationStatus::kCancelled));
  EXPECT_TRUE(IsTerminal(OperationStatus::kTimedOut));
  EXPECT_TRUE(IsTerminal(OperationStatus::kStopped));
  EXPECT_FALSE(IsTerminal(ExecutionStatus::kRunning));
  EXPECT_TRUE(IsTerminal(ExecutionStatus::kTimedOut));
}

}  // namespace
}  // namespace durafn::protocol
