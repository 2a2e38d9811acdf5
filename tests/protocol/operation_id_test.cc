#include "protocol/operation_id.h"

#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

TEST(OperationId, PathsNestWithDashes) {
  EXPECT_EQ(OperationPath("", 1), "1");
  EXPECT_EQ(OperationPath("", 12), "12");
  EXPECT_EQ(OperationPath("1", 2), "1-2");
  EXPECT_EQ(OperationPath("3-1", 10), "3-1-10");
}

// Vectors from protocol.md §8.1 (md5 of the path, first 16 hex digits).
TEST(OperationId, HashesMatchTheJavaScriptSdk) {
  EXPECT_EQ(HashOperationId("1"), "c4ca4238a0b92382");
  EXPECT_EQ(HashOperationId("2"), "c81e728d9d4c2f63");
  EXPECT_EQ(HashOperationId("3"), "eccbc87e4b5ce2fe");
  EXPECT_EQ(HashOperationId("1-1"), "ea66c06c1e1c05fa");
  EXPECT_EQ(HashOperationId("1-2"), "98c6f2c2287f4c73");
  EXPECT_EQ(HashOperationId("2-1"), "8fbdbf5573b18fae");
  EXPECT_EQ(HashOperationId("1-1-1"), "2f221a18eb863803");
}

TEST(OperationId, IdsAreValidOperationIds) {
  for (int i = 1; i < 200; ++i) {
    std::string id = HashOperationId(OperationPath("7", i));
    ASSERT_EQ(id.size(), 16u);
    for (char c : id)
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  }
}

TEST(OperationId, ExecutionResultIdHashesItsName) {
  EXPECT_EQ(ExecutionResultOperationId(1764547200123),
            HashOperationId("execution-result-1764547200123"));
  EXPECT_NE(ExecutionResultOperationId(1), ExecutionResultOperationId(2));
}

}  // namespace
}  // namespace durafn::protocol
