#include "sdk/durable_client.h"

#include <cstdio>
#include <random>

#include "protocol/json_codec.h"

namespace durafn::sdk {

bool ServiceError::invocation_level() const {
  if (status_ == 400 && code_ == "InvalidParameterValueException" &&
      std::string_view(what()).starts_with("Invalid Checkpoint Token")) {
    return true;
  }
  if (status_ >= 400 && status_ < 500 && status_ != 429) return false;
  return true;
}

std::string RandomUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

namespace {

ServiceError ToServiceError(const HttpResult& r) {
  std::string code = r.header("x-amzn-errortype");
  if (auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  std::string message = r.body;
  auto parsed = nlohmann::json::parse(r.body, nullptr, false);
  if (parsed.is_object()) {
    if (code.empty() && parsed.contains("__type") && parsed["__type"].is_string()) {
      code = parsed["__type"].get<std::string>();
      if (auto hash = code.find('#'); hash != std::string::npos) code = code.substr(hash + 1);
    }
    for (const char* key : {"message", "Message"}) {
      if (parsed.contains(key) && parsed[key].is_string()) message = parsed[key].get<std::string>();
    }
  }
  return ServiceError(r.status, code, message);
}

template <class T>
T DecodeOrThrow(const HttpResult& r) {
  auto decoded = protocol::DecodeText<T>(r.body, protocol::TimeFormat::kEpochSeconds);
  if (!decoded.ok()) {
    throw ServiceError(502, "ServiceException",
                       "malformed durable API response: " + decoded.status().message());
  }
  return std::move(decoded).value();
}

HttpResult SendOrThrow(HttpConnection& conn, std::string_view method, const std::string& target,
                       const std::string& body) {
  try {
    return conn.Send(method, target, body, {{"Content-Type", "application/json"}});
  } catch (const std::exception& e) {
    throw ServiceError(0, "NetworkError", e.what());
  }
}

}  // namespace

protocol::CheckpointDurableExecutionResponse HttpDurableClient::Checkpoint(
    const std::string& arn, const std::string& token,
    const std::vector<protocol::OperationUpdate>& updates) {
  protocol::CheckpointDurableExecutionRequest req;
  req.checkpoint_token = token;
  req.updates = updates;
  req.client_token = RandomUuid();
  std::string body = protocol::Encode(req).dump();
  std::string target = "/2025-12-01/durable-executions/" + PercentEncode(arn) + "/checkpoint";
  HttpResult r = SendOrThrow(conn_, "POST", target, body);
  if (r.status != 200) throw ToServiceError(r);
  return DecodeOrThrow<protocol::CheckpointDurableExecutionResponse>(r);
}

protocol::GetDurableExecutionStateResponse HttpDurableClient::GetState(const std::string& arn,
                                                                       const std::string& token,
                                                                       const std::string& marker) {
  std::string target = "/2025-12-01/durable-executions/" + PercentEncode(arn) +
                       "/state?CheckpointToken=" + PercentEncode(token) +
                       "&Marker=" + PercentEncode(marker) + "&MaxItems=1000";
  HttpResult r = SendOrThrow(conn_, "GET", target, "");
  if (r.status != 200) throw ToServiceError(r);
  return DecodeOrThrow<protocol::GetDurableExecutionStateResponse>(r);
}

}  // namespace durafn::sdk
