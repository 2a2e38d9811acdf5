// The Lambda Runtime API that function workers poll: one listener per function version, so
// the server knows which function is asking (AWS_LAMBDA_RUNTIME_API is host:port only).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/execution_service.h"
#include "api/http_server.h"
#include "api/invocation_dispatcher.h"
#include "hosting/function_config.h"

namespace durafn::api {

class RuntimeApi {
 public:
  RuntimeApi(ExecutionService& service, InvocationDispatcher& dispatcher, std::string host);
  ~RuntimeApi();

  // The host:port workers of `config` (one function version) use as AWS_LAMBDA_RUNTIME_API;
  // starts its listener on first use.
  Result<std::string> EndpointFor(const hosting::FunctionConfig& config,
                                  const std::string& function_arn);
  void Stop();

 private:
  struct Endpoint;
  // Fails invocations whose worker did not answer within the function's timeout (the
  // worker may have died or hung), so an execution never waits forever.
  void RunWatchdog();
  ExecutionService& service_;
  InvocationDispatcher& dispatcher_;
  const std::string host_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints_;  // by function ARN
  std::condition_variable watchdog_cv_;
  bool stopping_ = false;
  std::thread watchdog_;
};

}  // namespace durafn::api
