// The content-addressed code store: zip extraction rules and directory digests.
#include "hosting/code_store.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "hosting/test_package.h"

namespace durafn::hosting {
namespace {

namespace fs = std::filesystem;

class CodeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("durafn-code-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(SymlinkStaysInside, ResolvesLexicallyFromTheLinksFolder) {
  EXPECT_TRUE(SymlinkStaysInside("bootstrap", "bin/real"));
  EXPECT_TRUE(SymlinkStaysInside("a/b/link", "../c"));
  EXPECT_TRUE(SymlinkStaysInside("a/link", "../x/./y"));
  EXPECT_FALSE(SymlinkStaysInside("link", "../x"));
  EXPECT_FALSE(SymlinkStaysInside("a/link", "../../x"));
  EXPECT_FALSE(SymlinkStaysInside("link", "/etc/passwd"));
  EXPECT_FALSE(SymlinkStaysInside("a/link", "b/../../../x"));
  EXPECT_FALSE(SymlinkStaysInside("link", ""));
}

TEST_F(CodeStoreTest, ZipIsExtractedByDigestWithItsModes) {
  CodeStore store(dir_ / "code");
  std::string zip = testing::MakeZip(dir_ / "a.zip", {{"bootstrap", "#!/bin/sh\n", S_IFREG | 0755},
                                                      {"lib/data.txt", "data", S_IFREG | 0644},
                                                      {"empty/", "", S_IFDIR | 0755}});
  auto a = store.PutZip(zip);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size, static_cast<int64_t>(zip.size()));
  EXPECT_EQ(a->sha256_base64.size(), 44u);
  fs::path root = a->location;
  EXPECT_EQ(root.parent_path(), dir_ / "code");
  EXPECT_EQ(root.filename().string().size(), 64u) << "named by the hex digest";
  EXPECT_EQ(testing::ReadAll(root / "lib/data.txt"), "data");
  auto perms = fs::status(root / "bootstrap").permissions();
  EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none);
  EXPECT_EQ(fs::status(root / "lib/data.txt").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  EXPECT_TRUE(fs::is_directory(root / "empty"));
  auto b = store.PutZip(zip);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->location, a->location);
  EXPECT_EQ(b->sha256_base64, a->sha256_base64);
}

TEST_F(CodeStoreTest, BadZipsAreInvalidArguments) {
  CodeStore store(dir_ / "code");
  EXPECT_EQ(store.PutZip("nonsense").status().code(), Status::Code::kInvalidArgument);
  auto escape = store.PutZip(testing::MakeZip(dir_ / "e.zip", {{"../x", "x"}}));
  EXPECT_EQ(escape.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(escape.status().message().find("outside"), std::string::npos);
  auto link = store.PutZip(testing::MakeZip(dir_ / "l.zip", {{"l", "/etc", S_IFLNK | 0777}}));
  EXPECT_EQ(link.status().code(), Status::Code::kInvalidArgument);
  // Nothing half-extracted stays behind.
  for (const auto& e : fs::directory_iterator(dir_ / "code"))
    ADD_FAILURE() << e.path();
}

TEST_F(CodeStoreTest, DirectoryDigestFollowsContentAndModes) {
  CodeStore store(dir_ / "code");
  fs::create_directories(dir_ / "src/sub");
  std::ofstream(dir_ / "src/bootstrap") << "#!/bin/sh\n";
  std::ofstream(dir_ / "src/sub/file") << "one";
  fs::permissions(dir_ / "src/bootstrap", fs::perms(0755));
  auto a = store.PutDirectory(dir_ / "src");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size, 13);
  EXPECT_EQ(testing::ReadAll(fs::path(a->location) / "sub/file"), "one");
  EXPECT_EQ(store.PutDirectory(dir_ / "src")->sha256_base64, a->sha256_base64);
  fs::permissions(dir_ / "src/bootstrap", fs::perms(0644));
  auto b = store.PutDirectory(dir_ / "src");
  EXPECT_NE(b->sha256_base64, a->sha256_base64) << "the executable bit is part of the code";
  std::ofstream(dir_ / "src/sub/file") << "two";
  EXPECT_NE(store.PutDirectory(dir_ / "src")->sha256_base64, b->sha256_base64);
  EXPECT_TRUE(fs::exists(fs::path(a->location) / "bootstrap")) << "old folders are immutable";
  EXPECT_EQ(store.PutDirectory("relative/path").status().code(), Status::Code::kInvalidArgument);
  fs::create_symlink("/etc", dir_ / "src/out");
  EXPECT_EQ(store.PutDirectory(dir_ / "src").status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace durafn::hosting
