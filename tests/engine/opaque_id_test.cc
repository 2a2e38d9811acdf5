#include "engine/opaque_id.h"

#include <gtest/gtest.h>

#include "engine/callback_id.h"
#include "engine/checkpoint_token.h"
#include "engine/limits.h"

namespace durafn::engine {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodeIsTheStrictInverse) {
  for (std::string s : {"f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  std::string all;
  for (int c = 0; c < 256; ++c) {
    all.push_back(static_cast<char>(c));
  }
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
  EXPECT_FALSE(Base64Decode(""));
  EXPECT_FALSE(Base64Decode("Zg="));       // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zg"));        // padding missing
  EXPECT_FALSE(Base64Decode("Z==="));      // too much padding
  EXPECT_FALSE(Base64Decode("Zh=="));      // non-zero trailing bits: not canonical
  EXPECT_FALSE(Base64Decode("Zm9=Zm9v"));  // padding in the middle
  EXPECT_FALSE(Base64Decode("Zm9-"));      // URL alphabet
  EXPECT_FALSE(Base64Decode("Zm9 "));
}

TEST(PackFields, RoundTripsAnyBytes) {
  std::vector<std::string_view> fields = {"", "a:b", "12:xyz", std::string_view("\0\n", 2)};
  auto packed = PackFields(fields);
  auto back = UnpackFields(packed, 4);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*back)[i], fields[i]);
  }
  EXPECT_FALSE(UnpackFields(packed, 3));
  EXPECT_FALSE(UnpackFields(packed, 5));
  EXPECT_FALSE(UnpackFields("3:ab", 1));    // truncated
  EXPECT_FALSE(UnpackFields("03:abc", 1));  // leading zero
  EXPECT_FALSE(UnpackFields(":abc", 1));
  EXPECT_FALSE(UnpackFields("x:abc", 1));
}

TEST(CheckpointToken, RoundTripAndAlphabet) {
  CheckpointTokenParts parts{"6f1c0d7e-1111", "req-7", 42};
  std::string token = FormatCheckpointToken(parts);
  EXPECT_EQ(ParseCheckpointToken(token), parts);
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')
        << token;
  }
  // A maximal token stays within the model's 2048 characters.
  CheckpointTokenParts big{std::string(kMaxOperationIdLength, 'e'),
                           std::string(kMaxRequestIdLength, 'r'), INT64_MAX};
  std::string big_token = FormatCheckpointToken(big);
  EXPECT_LE(big_token.size(), kMaxCheckpointTokenLength);
  EXPECT_EQ(ParseCheckpointToken(big_token), big);
}

TEST(CheckpointToken, RejectsForgeries) {
  EXPECT_FALSE(ParseCheckpointToken(""));
  EXPECT_FALSE(ParseCheckpointToken("not a token"));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode("hello")));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode(PackFields({"ct1", "e", "r", "-1"}))));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode(PackFields({"ct1", "e", "r", "01"}))));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode(PackFields({"ct1", "e", "r", "1x"}))));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode(PackFields({"ct1", "", "r", "1"}))));
  EXPECT_FALSE(ParseCheckpointToken(Base64Encode(PackFields({"cb1", "e", "r", "1"}))));
  // A callback id is not a checkpoint token.
  EXPECT_FALSE(ParseCheckpointToken(FormatCallbackId({"arn", "op", "n"})));
}

TEST(CallbackId, RoundTripWithinModelLength) {
  CallbackIdParts parts{std::string(kMaxExecutionArnLength, 'a'),
                        std::string(kMaxOperationIdLength, 'o'),
                        std::string(kMaxCallbackNonceLength, 'n')};
  std::string id = FormatCallbackId(parts);
  EXPECT_LE(id.size(), kMaxCallbackIdLength);
  EXPECT_EQ(ParseCallbackId(id), parts);
  EXPECT_FALSE(ParseCallbackId("garbage!"));
  EXPECT_FALSE(ParseCallbackId(FormatCheckpointToken({"e", "r", 1})));
  EXPECT_FALSE(ParseCallbackId(Base64Encode(PackFields({"cb1", "arn", "op", ""}))));
}

}  // namespace
}  // namespace durafn::engine
