// A stand-in durable backend that answers the SDK with a recorded trace's responses. Used
// only for trace replay: the trace *is* the recording of the real backend, so serving it back
// is the most faithful way to feed the C++ SDK exactly what AWS's JS SDK saw.
//
// Requests are matched to recorded checkpoint requests update by update (Id + Action, or
// Type + Action for the EXECUTION update whose id is time-based), so the fake still answers
// correctly when the C++ SDK groups concurrent updates into requests differently. Tokens are
// issued by the fake and checked: every request must carry the latest one.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http_server.h"

namespace durafn::testing {

class TraceFakeBackend {
 public:
  TraceFakeBackend() {
    api::Router router;
    router.Add(
        "POST", "/2025-12-01/durable-executions/{Arn}/checkpoint",
        [this](api::Request req, api::Responder res) { res(Checkpoint(req)); },
        api::RouteOptions{.max_body_bytes = 16 * 1024 * 1024});
    router.Add("GET", "/2025-12-01/durable-executions/{Arn}/state",
               [this](api::Request req, api::Responder res) { res(State(req)); });
    server_ = std::make_unique<api::HttpServer>(api::HttpServerOptions{}, std::move(router));
    auto st = server_->Start();
    if (!st.ok()) throw std::runtime_error(st.ToString());
  }
  ~TraceFakeBackend() { server_->Stop(); }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Prepares for one invocation: its recorded checkpoints ({request, response}) and state
  // calls, and the token the envelope carries.
  void Load(const std::string& first_token, const nlohmann::json& checkpoints,
            const nlohmann::json& state_calls) {
    std::lock_guard lock(mu_);
    token_ = first_token;
    recorded_.clear();
    for (const auto& cp : checkpoints) {
      Recorded r;
      r.updates = cp["request"].value("Updates", nlohmann::json::array());
      r.consumed.assign(r.updates.size(), false);
      r.response = cp["response"];
      recorded_.push_back(std::move(r));
    }
    state_calls_ = state_calls;
    next_state_ = 0;
    received_.clear();
    state_requests_.clear();
    errors_.clear();
  }

  // The Updates of every checkpoint request received since Load, one list per request.
  std::vector<nlohmann::json> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<std::string> state_requests() const {
    std::lock_guard lock(mu_);
    return state_requests_;
  }
  // Protocol violations seen (stale token, unmatched update).
  std::vector<std::string> errors() const {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  struct Recorded {
    nlohmann::json updates;
    std::vector<bool> consumed;
    nlohmann::json response;
  };

  static api::Response Json(int status, const nlohmann::json& body) {
    api::Response r;
    r.status = status;
    r.headers.Set("Content-Type", "application/json");
    r.body = body.dump();
    return r;
  }

  api::Response Checkpoint(const api::Request& req) {
    std::lock_guard lock(mu_);
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object()) return Json(400, {{"message", "bad json"}});
    if (body.value("CheckpointToken", "") != token_) {
      errors_.push_back("stale token " + body.value("CheckpointToken", ""));
      api::Response r = Json(400, {{"message", "Invalid Checkpoint Token: stale"}});
      r.headers.Set("X-Amzn-ErrorType", "InvalidParameterValueException");
      return r;
    }
    auto updates = body.value("Updates", nlohmann::json::array());
    received_.push_back(updates);
    std::set<std::size_t> touched;
    std::set<std::string> ids;
    for (const auto& u : updates) {
      ids.insert(u.value("Id", ""));
      bool found = false;
      for (std::size_t k = 0; k < recorded_.size() && !found; ++k) {
        for (std::size_t j = 0; j < recorded_[k].updates.size() && !found; ++j) {
          const auto& ru = recorded_[k].updates[j];
          bool same =
              ru.value("Action", "") == u.value("Action", "") &&
              (u.value("Type", "") == "EXECUTION" ? ru.value("Type", "") == "EXECUTION"
                                                  : ru.value("Id", "") == u.value("Id", ""));
          if (same && !recorded_[k].consumed[j]) {
            recorded_[k].consumed[j] = true;
            touched.insert(k);
            found = true;
          }
        }
      }
      if (!found) errors_.push_back("unrecorded update " + u.dump());
    }
    std::map<std::string, nlohmann::json> ops;
    std::vector<std::string> order;
    for (std::size_t k : touched) {
      bool fully = true;
      for (bool c : recorded_[k].consumed)
        fully = fully && c;
      const auto& state = recorded_[k].response["NewExecutionState"];
      if (!state.contains("Operations")) continue;
      for (const auto& op : state["Operations"]) {
        std::string id = op.value("Id", "");
        if (!fully && !ids.count(id)) continue;
        if (!ops.count(id)) order.push_back(id);
        ops[id] = op;
      }
    }
    nlohmann::json out_ops = nlohmann::json::array();
    for (const auto& id : order)
      out_ops.push_back(ops[id]);
    nlohmann::json resp = {{"NewExecutionState", {{"Operations", out_ops}}}};
    bool closes = false;
    for (const auto& u : updates)
      closes = closes || u.value("Type", "") == "EXECUTION";
    if (!closes) {
      token_ = "fake-token-" + std::to_string(++issued_);
      resp["CheckpointToken"] = token_;
    }
    return Json(200, resp);
  }

  api::Response State(const api::Request& req) {
    std::lock_guard lock(mu_);
    state_requests_.push_back(req.target);
    auto token = req.QueryValue("CheckpointToken");
    if (!token || *token != token_) errors_.push_back("state call with a stale token");
    if (next_state_ >= state_calls_.size())
      return Json(400, {{"message", "unexpected state call"}});
    return Json(200, state_calls_[next_state_++]["response"]);
  }

  mutable std::mutex mu_;
  std::unique_ptr<api::HttpServer> server_;
  std::string token_;
  int issued_ = 0;
  std::vector<Recorded> recorded_;
  nlohmann::json state_calls_;
  std::size_t next_state_ = 0;
  std::vector<nlohmann::json> received_;
  std::vector<std::string> state_requests_;
  std::vector<std::string> errors_;
};

}  // namespace durafn::testing
