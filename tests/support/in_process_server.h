// A test fixture running durafn's Server inside the test process (so a test can set any
// ServerOptions) on a free loopback port, with a fresh data dir per test and an HTTP client.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "api/http_client.h"
#include "api/server.h"

namespace durafn::testing {

class InProcessServerTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  // `prefix` names the data dir: <temp>/<prefix>-<pid>-<test name>.
  explicit InProcessServerTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix_ + "-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.port = 0;
    options_.data_dir = dir_ / "data";
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Opens and starts a server with options_, and a client to it.
  void StartServer() {
    auto s = api::Server::Open(options_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
  }

  // One request through `client` (client_ when null), answered within 60 s.
  api::Response Call(std::string_view method, std::string_view target, const json& body = nullptr,
                     api::Headers headers = {}, api::HttpClient* client = nullptr) {
    auto r = (client ? client : client_.get())
                 ->Send(method, target, headers, body.is_null() ? "" : body.dump(),
                        std::chrono::seconds(60));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : api::Response{};
  }
  static json Body(const api::Response& r) { return json::parse(r.body, nullptr, false); }

  std::filesystem::path dir_;
  api::ServerOptions options_;
  std::unique_ptr<api::Server> server_;
  std::unique_ptr<api::HttpClient> client_;

 private:
  std::string prefix_;
};

}  // namespace durafn::testing
