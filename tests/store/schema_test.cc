#include "store/schema.h"

#include <gtest/gtest.h>

#include "store/sqlite_execution_store.h"
#include "store_test_util.h"

namespace durafn::store::testing {
namespace {

class SchemaTest : public ::testing::Test {
 protected:
  Database OpenDb() {
    auto db = Database::Open((dir_.path() / "schema.db").string(), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  static bool HasTable(Database& db, const std::string& name) {
    auto st = db.Prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE((*st)->Bind(1, std::string_view(name)).Step().value());
    bool found = (*st)->ColumnInt(0) > 0;
    (*st)->Reset();
    return found;
  }
  TempDir dir_;
};

TEST_F(SchemaTest, NewDatabaseGetsTheLatestVersionAndEveryTable) {
  Database db = OpenDb();
  EXPECT_EQ(SchemaVersion(db).value(), 0);
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(SchemaVersion(db).value(), LatestSchemaVersion());
  for (const char* table :
       {"executions", "operations", "events", "timers", "chained_invokes", "schema_version"}) {
    EXPECT_TRUE(HasTable(db, table)) << table;
  }
  // Migrating again is a no-op.
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(SchemaVersion(db).value(), LatestSchemaVersion());
}

TEST_F(SchemaTest, EachMigrationIsItsOwnTransaction) {
  constexpr Migration kGood1{1, "CREATE TABLE a (x INTEGER)"};
  constexpr Migration kGood2{2, "CREATE TABLE b (x INTEGER)"};
  constexpr Migration kBad3{3, "CREATE TABLE c (x INTEGER); THIS IS NOT SQL"};
  const Migration migrations[] = {kGood1, kGood2, kBad3};
  Database db = OpenDb();
  Status s = Migrate(db, migrations);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema migration 3"), std::string::npos) << s.message();
  // 1 and 2 stay applied; 3 left nothing behind.
  EXPECT_EQ(SchemaVersion(db).value(), 2);
  EXPECT_TRUE(HasTable(db, "b"));
  EXPECT_FALSE(HasTable(db, "c"));

  const Migration fixed[] = {kGood1, kGood2, {3, "CREATE TABLE c (x INTEGER)"}};
  ASSERT_TRUE(Migrate(db, fixed).ok());
  EXPECT_EQ(SchemaVersion(db).value(), 3);
  EXPECT_TRUE(HasTable(db, "c"));
}

TEST_F(SchemaTest, RefusesADatabaseFromANewerBuild) {
  {
    Database db = OpenDb();
    ASSERT_TRUE(Migrate(db).ok());
    ASSERT_TRUE(db.Exec("UPDATE schema_version SET version = version + 1").ok());
  }
  Database db = OpenDb();
  Status s = Migrate(db);
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("newer than this build supports"), std::string::npos);
  EXPECT_EQ(SchemaVersion(db).value(), LatestSchemaVersion() + 1);  // untouched
}

TEST_F(SchemaTest, StoreRefusesToOpenANewerDatabase) {
  ASSERT_TRUE(SqliteExecutionStore::Open(dir_.path()).ok());
  {
    auto db = Database::Open((dir_.path() / SqliteExecutionStore::kDatabaseFileName).string(), {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("UPDATE schema_version SET version = 999").ok());
  }
  auto store = SqliteExecutionStore::Open(dir_.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace durafn::store::testing
