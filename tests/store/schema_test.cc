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
  for (const char* table : {"executions", "operations", "events", "timers", "chained_invokes",
                            "save_log", "schema_version"}) {
    EXPECT_TRUE(HasTable(db, table)) << table;
  }
  // Migrating again is a no-op.
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(SchemaVersion(db).value(), LatestSchemaVersion());
}

// A database written by version 2 keeps every row through the move to WITHOUT ROWID tables.
TEST_F(SchemaTest, Version3KeepsTheRowsOfAVersion2Database) {
  Database db = OpenDb();
  ASSERT_TRUE(Migrate(db, Migrations().first(2)).ok());
  ASSERT_EQ(SchemaVersion(db).value(), 2);
  ASSERT_TRUE(db.Exec("INSERT INTO operations (arn, seq, id, entry) VALUES "
                      "('a', 0, 'x', '{1}'), ('a', 1, 'y', '{2}'), ('b', 0, 'x', '{3}');"
                      "INSERT INTO events (arn, event_id, event) VALUES "
                      "('a', 1, 'e1'), ('a', 2, 'e2'), ('b', 1, 'e3');"
                      "INSERT INTO timers (arn, kind, operation_id, due_ms) VALUES "
                      "('a', 'wait', 'x', 5), ('b', 'wait', 'x', 7);")
                  .ok());
  ASSERT_TRUE(Migrate(db, Migrations().first(3)).ok());
  EXPECT_EQ(SchemaVersion(db).value(), 3);
  auto rows = [&](const std::string& sql) {
    auto st = db.Prepare(sql);
    EXPECT_TRUE(st.ok());
    std::string out;
    for (;;) {
      auto more = (*st)->Step();
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
      out += (*st)->ColumnText(0) + ";";
    }
    (*st)->Reset();
    return out;
  };
  EXPECT_EQ(rows("SELECT arn || seq || id || entry FROM operations ORDER BY arn, seq"),
            "a0x{1};a1y{2};b0x{3};");
  EXPECT_EQ(rows("SELECT arn || event_id || event FROM events ORDER BY arn, event_id"),
            "a1e1;a2e2;b1e3;");
  EXPECT_EQ(rows("SELECT arn || due_ms FROM timers ORDER BY due_ms"), "a5;b7;");
  EXPECT_EQ(rows("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                 "'%WITHOUT ROWID' ORDER BY name"),
            "events;operations;timers;");
  // The key and the creation order are still unique.
  EXPECT_FALSE(
      db.Exec("INSERT INTO operations (arn, seq, id, entry) VALUES ('a', 5, 'x', '')").ok());
  EXPECT_FALSE(
      db.Exec("INSERT INTO operations (arn, seq, id, entry) VALUES ('a', 1, 'z', '')").ok());
  EXPECT_EQ(rows("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
                 "'sqlite_autoindex%' ORDER BY name"),
            "executions_by_expiry;executions_by_function_start;executions_by_status;"
            "operations_by_id;timers_by_due;");
}

// Version 4 adds the save log: existing executions count as fully settled, and operations
// are found by position only.
TEST_F(SchemaTest, Version4StartsEveryExecutionSettled) {
  Database db = OpenDb();
  ASSERT_TRUE(Migrate(db, Migrations().first(3)).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO executions (arn, function_name, function_arn, version, name, "
                      "status, phase, start_ms, retention_days, change_counter, next_event_id, "
                      "record) VALUES ('a', 'f', 'f:1', '1', 'n', 'RUNNING', 'Running', 1, 14, "
                      "3, 4, '{}');"
                      "INSERT INTO operations (arn, seq, id, entry) VALUES ('a', 0, 'x', '{1}');")
                  .ok());
  ASSERT_TRUE(Migrate(db).ok());
  EXPECT_EQ(SchemaVersion(db).value(), LatestSchemaVersion());
  auto one = [&](const std::string& sql) {
    auto st = db.Prepare(sql);
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE((*st)->Step().value()) << sql;
    std::string v = (*st)->ColumnText(0);
    (*st)->Reset();
    return v;
  };
  EXPECT_EQ(one("SELECT log_seq || ' ' || change_counter FROM executions WHERE arn = 'a'"), "0 3");
  EXPECT_EQ(one("SELECT COUNT(*) FROM save_log"), "0");
  EXPECT_EQ(one("SELECT COUNT(*) FROM sqlite_master WHERE name = 'operations_by_id'"), "0");
  EXPECT_EQ(one("SELECT COUNT(*) FROM sqlite_master WHERE name = 'save_log_by_execution'"), "1");
  EXPECT_EQ(one("SELECT entry FROM operations WHERE arn = 'a' AND seq = 0"), "{1}");
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
