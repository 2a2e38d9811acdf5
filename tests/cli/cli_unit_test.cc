// The CLI's pure helpers: --since, event de-duplication, history rows, tables, endpoints.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/code_zip.h"
#include "cli/history_format.h"
#include "cli/logs_tail.h"
#include "cli/output.h"

namespace durafn::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(ParseSince, Units) {
  EXPECT_EQ(ParseSince("30s"), 30'000);
  EXPECT_EQ(ParseSince("10m"), 600'000);
  EXPECT_EQ(ParseSince("2h"), 7'200'000);
  EXPECT_EQ(ParseSince("1d"), 86'400'000);
  EXPECT_EQ(ParseSince("1w"), 7 * 86'400'000LL);
  EXPECT_EQ(ParseSince("0m"), 0);
}

TEST(ParseSince, Malformed) {
  for (const char* bad : {"", "m", "10", "10x", "-5m", "1.5h", "m10", "99999999999999999d"}) {
    EXPECT_EQ(ParseSince(bad), std::nullopt) << bad;
  }
}

TEST(SeenEvents, RemembersAndForgetsOldestFirst) {
  SeenEvents seen(2);
  EXPECT_TRUE(seen.Insert("a"));
  EXPECT_FALSE(seen.Insert("a"));
  EXPECT_TRUE(seen.Insert("b"));
  EXPECT_TRUE(seen.Insert("c"));  // forgets a
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen.Insert("c"));
  EXPECT_TRUE(seen.Insert("a"));
}

TEST(History, DetailsSummarizePayloadsErrorsAndTimes) {
  json started = {{"EventType", "StepSucceeded"},
                  {"EventId", 4},
                  {"Name", "enrich-order"},
                  {"EventTimestamp", 1795847131.942},
                  {"StepSucceededDetails",
                   {{"Result", {{"Payload", "{\"ok\":true}"}, {"Truncated", false}}},
                    {"RetryDetails", json::object()}}}};
  EXPECT_EQ(EventDetails(started), "Result={\"ok\":true}");
  json failed = {{"EventType", "ExecutionFailed"},
                 {"ExecutionFailedDetails",
                  {{"Error", {{"Payload", {{"ErrorType", "Boom"}, {"ErrorMessage", "bad"}}}}}}}};
  EXPECT_EQ(EventDetails(failed), "Error=Boom: bad");
  json stopped = {{"ExecutionStoppedDetails", {{"Error", {{"ErrorMessage", "by user"}}}}}};
  EXPECT_EQ(EventDetails(stopped), "Error=by user");
  json chained = {
      {"ChainedInvokeStartedDetails",
       {{"FunctionName", ""}, {"Input", {{"Payload", ""}}}, {"DurableExecutionArn", "a"}}}};
  EXPECT_EQ(EventDetails(chained), "DurableExecutionArn=a");
  json wait = {{"WaitStartedDetails", {{"Duration", 2}, {"ScheduledEndTimestamp", 1795847133.5}}}};
  EXPECT_EQ(EventDetails(wait), "Duration=2 ScheduledEndTimestamp=2026-11-28T06:25:33.500Z");
  json none = {{"EventType", "InvocationCompleted"}};
  EXPECT_EQ(EventDetails(none), "");
  json pretty = {{"ExecutionStartedDetails", {{"Input", {{"Payload", "{\n  \"a\": 1\n}"}}}}}};
  EXPECT_EQ(EventDetails(pretty), "Input={ \"a\": 1 }");
  json huge = {{"StepStartedDetails", {{"X", std::string(500, 'x')}}}};
  EXPECT_EQ(EventDetails(huge).size(), 100u);
}

TEST(History, RowsHaveIdTimeTypeNameDetails) {
  json events = json::array({{{"EventType", "StepStarted"},
                              {"EventId", 2},
                              {"Name", "enrich-order"},
                              {"EventTimestamp", 1795847131.942},
                              {"StepStartedDetails", json::object()}}});
  std::ostringstream out;
  PrintHistoryRows(events, true, out);
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("ID    TIME"));
  EXPECT_THAT(text, HasSubstr("2     2026-11-28T06:25:31.942Z StepStarted"));
  EXPECT_THAT(text, HasSubstr("enrich-order"));
  std::ostringstream no_header;
  PrintHistoryRows(events, false, no_header);
  EXPECT_EQ(no_header.str().find("TIME"), std::string::npos);
}

TEST(Table, AlignsColumns) {
  Table t({"NAME", "STATUS"});
  t.AddRow({"a-long-name", "RUNNING"});
  t.AddRow({"b", "multi\nline"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(), "NAME         STATUS\na-long-name  RUNNING\nb            multi line\n");
}

TEST(FormatTime, EpochSecondsAndText) {
  EXPECT_EQ(FormatTime(json(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(json(1795847131.942)), "2026-11-28T06:25:31.942Z");
  EXPECT_EQ(FormatTime(json("2026-01-01T00:00:00Z")), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(json()), "");
}

TEST(Endpoint, Parses) {
  auto e = ParseEndpoint("http://127.0.0.1:9001/");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 9001);
  EXPECT_TRUE(e.loopback());
  e = ParseEndpoint("localhost:8080");
  EXPECT_EQ(e.port, 8080);
  EXPECT_TRUE(e.loopback());
  e = ParseEndpoint("http://durafn.internal");
  EXPECT_EQ(e.port, 80);
  EXPECT_FALSE(e.loopback());
  EXPECT_THROW(ParseEndpoint("https://x:1"), CliError);
  EXPECT_THROW(ParseEndpoint("http://x:99999"), CliError);
  EXPECT_THROW(ParseEndpoint("http://x:1/path"), CliError);
  EXPECT_THROW(ParseEndpoint("http://"), CliError);
}

TEST(ErrorLine, LambdaStyleAndFallbacks) {
  api::Response r;
  r.status = 404;
  r.headers.Set("x-amzn-ErrorType", "ResourceNotFoundException");
  r.body = R"({"Type":"User","message":"Function not found: x"})";
  EXPECT_EQ(ErrorLine(r), "ResourceNotFoundException: Function not found: x");
  api::Response plain;
  plain.status = 502;
  plain.body = "bad\ngateway";
  EXPECT_EQ(ErrorLine(plain), "HTTP 502: bad gateway");
  api::Response aws_json;
  aws_json.status = 400;
  aws_json.body = R"({"__type":"com.amazonaws#ResourceNotFoundException","message":"no group"})";
  EXPECT_EQ(ErrorLine(aws_json), "ResourceNotFoundException: no group");
}

}  // namespace
}  // namespace durafn::cli

namespace durafn::cli {
namespace {

namespace fs = std::filesystem;

TEST(ZipFolder, DeterministicWithPathsAndModes) {
  fs::path dir = fs::temp_directory_path() / ("durafn-zip-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "lib");
  std::ofstream(dir / "bootstrap") << "#!/bin/sh\necho hi\n";
  fs::permissions(dir / "bootstrap", fs::perms::owner_all, fs::perm_options::add);
  std::ofstream(dir / "lib" / "data.txt") << "data";
  std::string a = ZipFolder(dir.string());
  fs::last_write_time(dir / "lib" / "data.txt", fs::file_time_type::clock::now());
  std::string b = ZipFolder(dir.string());
  EXPECT_EQ(a, b) << "same folder, same bytes";
  ASSERT_GT(a.size(), 22u);

  // Read it back with libzip: names, contents and the executable bit.
  zip_error_t error;
  zip_source_t* src = zip_source_buffer_create(a.data(), a.size(), 0, &error);
  zip_t* zip = zip_open_from_source(src, ZIP_RDONLY, &error);
  ASSERT_NE(zip, nullptr);
  ASSERT_EQ(zip_get_num_entries(zip, 0), 2);
  EXPECT_STREQ(zip_get_name(zip, 0, 0), "bootstrap");
  EXPECT_STREQ(zip_get_name(zip, 1, 0), "lib/data.txt");
  zip_uint8_t os = 0;
  zip_uint32_t attributes = 0;
  zip_file_get_external_attributes(zip, 0, 0, &os, &attributes);
  EXPECT_EQ(os, ZIP_OPSYS_UNIX);
  EXPECT_NE((attributes >> 16) & 0100, 0u) << "bootstrap stays executable";
  zip_file_t* f = zip_fopen_index(zip, 1, 0);
  char buf[16] = {0};
  EXPECT_EQ(zip_fread(f, buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "data");
  zip_fclose(f);
  zip_close(zip);
  fs::remove_all(dir);
  EXPECT_THROW(ZipFolder((dir / "missing").string()), CliError);
}

TEST(Base64, Standard) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace durafn::cli
