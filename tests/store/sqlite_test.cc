#include "store/sqlite.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace durafn::store {
namespace {

class SqliteWalTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_.path() / "crash"); }

  static void Insert(Database& db, int from, int to) {
    static const std::string kValue(500, 'v');
    for (int k = from; k < to; ++k) {
      auto st = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      ASSERT_TRUE(st.ok());
      ASSERT_TRUE((*st)->Bind(1, int64_t{k}).Bind(2, std::string_view(kValue)).Run().ok());
    }
  }
  static int64_t Count(Database& db) {
    auto st = db.Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE((*st)->Step().value());
    int64_t n = (*st)->ColumnInt(0);
    (*st)->Reset();
    return n;
  }

  testing::TempDir dir_;
};

constexpr int64_t kReserve = 1 << 20;

TEST_F(SqliteWalTest, CommitsOverwriteTheReservedLogInsteadOfGrowingIt) {
  const std::string path = (dir_.path() / "db").string();
  auto db = Database::Open(path, {.wal_reserve_bytes = kReserve});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), static_cast<uintmax_t>(kReserve));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  Insert(*db, 0, 100);  // one commit each, about 100 frames: well inside 1 MiB
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), static_cast<uintmax_t>(kReserve));
  EXPECT_EQ(Count(*db), 100);
  auto reader = Database::Open(path, {.read_only = true});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Count(*reader), 100);
}

// A crash leaves committed frames in the log. Reserving at the next open must move them into
// the database first, never zero them.
TEST_F(SqliteWalTest, ReservingKeepsWhatACrashLeftInTheLog) {
  const std::string path = (dir_.path() / "db").string();
  const std::string copy = (dir_.path() / "crash" / "db").string();
  {
    auto db = Database::Open(path, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA wal_autocheckpoint=0").ok());  // everything stays in the log
    ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
    Insert(*db, 0, 50);
    ASSERT_GT(std::filesystem::file_size(path + "-wal"), 50u * 500);
    // The files as a crash would leave them: the connection is still open, nothing
    // checkpointed.
    std::filesystem::copy_file(path, copy);
    std::filesystem::copy_file(path + "-wal", copy + "-wal");
  }
  {
    auto db = Database::Open(copy, {.wal_reserve_bytes = kReserve});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(std::filesystem::file_size(copy + "-wal"), static_cast<uintmax_t>(kReserve));
    EXPECT_EQ(Count(*db), 50);
    Insert(*db, 50, 60);
  }
  auto again = Database::Open(copy, {.wal_reserve_bytes = kReserve});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Count(*again), 60);
}

}  // namespace
}  // namespace durafn::store
