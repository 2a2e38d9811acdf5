#include "store/wal_write_buffer.h"

#include <string>

#include <gtest/gtest.h>

#include "store/sqlite.h"
#include "store_test_util.h"

namespace durafn::store {
namespace {

class WalWriteBufferTest : public ::testing::Test {
 protected:
  Database Open(bool buffered) {
    auto db = Database::Open((dir_.path() / "db.sqlite").string(),
                             {.synchronous_full = true, .buffer_wal_writes = buffered});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  static std::string Value(Database& db, int64_t k) {
    auto st = db.Prepare("SELECT v FROM t WHERE k = ?");
    EXPECT_TRUE(st.ok());
    std::string v = (*st)->Bind(1, k).Step().value() ? (*st)->ColumnText(0) : "<none>";
    (*st)->Reset();
    return v;
  }
  static Status Put(Database& db, int64_t k, const std::string& v) {
    auto st = db.Prepare("INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)");
    return st.ok() ? (*st)->Bind(1, k).Bind(2, std::string_view(v)).Run() : st.status();
  }

  testing::TempDir dir_;
};

TEST_F(WalWriteBufferTest, OtherConnectionsSeeEachCommitAtOnce) {
  Database writer = Open(true);
  ASSERT_TRUE(writer.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  Database reader = Open(false);
  for (int64_t k = 0; k < 50; ++k) {
    ASSERT_TRUE(Put(writer, k, "v" + std::to_string(k)).ok());
    // The commit's frames were handed to the kernel before the WAL index named them.
    EXPECT_EQ(Value(reader, k), "v" + std::to_string(k));
  }
}

TEST_F(WalWriteBufferTest, CommitsLargerThanOneWriteAndRewrittenFramesComeOutWhole) {
  Database writer = Open(true);
  ASSERT_TRUE(writer.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  // Several MiB in one transaction: more than the real file takes in one write, and more
  // than the buffer holds before it writes out. Rewriting rows makes SQLite write some of
  // the transaction's frames again.
  ASSERT_TRUE(writer.Exec("BEGIN").ok());
  std::string big(300'000, 'x');
  for (int64_t k = 0; k < 12; ++k) {
    big[0] = static_cast<char>('a' + k);
    ASSERT_TRUE(Put(writer, k, big).ok());
  }
  for (int64_t k = 0; k < 12; k += 3)
    ASSERT_TRUE(Put(writer, k, "small" + std::to_string(k)).ok());
  ASSERT_TRUE(writer.Exec("COMMIT").ok());

  Database reader = Open(false);
  for (int64_t k = 0; k < 12; ++k) {
    std::string want = big;
    want[0] = static_cast<char>('a' + k);
    if (k % 3 == 0) want = "small" + std::to_string(k);
    EXPECT_EQ(Value(reader, k), want) << k;
    EXPECT_EQ(Value(writer, k), want) << k;
  }
  // And the log replays from disk in a fresh process's view: close everything and reopen.
  reader = Open(false);
  EXPECT_EQ(Value(reader, 1).substr(0, 3), "bxx");
}

}  // namespace
}  // namespace durafn::store
