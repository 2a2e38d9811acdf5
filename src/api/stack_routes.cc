#include "api/stack_routes.h"

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/responses.h"
#include "protocol/api_error.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using protocol::ErrorCode;

// CloudFormation's rule for stack names: a letter, then letters, digits and hyphens.
bool ValidStackName(const std::string& n) {
  if (n.empty() || n.size() > 128 || !std::isalpha(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

struct StackFiles {
  std::filesystem::path dir;
  std::mutex mu;  // one writer at a time; records are small

  std::filesystem::path PathOf(const std::string& name) const { return dir / (name + ".json"); }

  std::optional<json> Read(const std::string& name) {
    std::ifstream in(PathOf(name));
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  }

  // Writes through a temporary file and a rename, so a crash leaves the old or the new record.
  bool Write(const std::string& name, const json& record) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto tmp = PathOf(name);
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << record.dump(2);
      if (!out.flush()) return false;
    }
    std::filesystem::rename(tmp, PathOf(name), ec);
    return !ec;
  }
};

Response NotFound(const std::string& name) {
  return ErrorResponse({ErrorCode::kResourceNotFound, "Stack with id " + name + " does not exist"});
}

}  // namespace

void AddStackRoutes(Router& r, const std::filesystem::path& data_dir, std::string region,
                    std::string account) {
  auto files = std::make_shared<StackFiles>();
  files->dir = data_dir / "stacks";
  auto name_of = [](const Request& req, Responder& res) -> std::optional<std::string> {
    const std::string& name = req.Label("StackName");
    if (!ValidStackName(name)) {
      res.Send(ErrorResponse({ErrorCode::kInvalidParameterValue,
                              "Stack name '" + name +
                                  "' must start with a letter and hold only letters, digits "
                                  "and hyphens (at most 128)"}));
      return std::nullopt;
    }
    return name;
  };

  r.Add("PUT", "/durafn/stacks/{StackName}", [files, name_of](Request req, Responder res) {
    auto name = name_of(req, res);
    if (!name) return;
    auto record = json::parse(req.body, nullptr, false);
    if (!record.is_object()) {
      return res.Send(ErrorResponse(
          {ErrorCode::kInvalidRequestContent, "A stack record must be a JSON object"}));
    }
    record["StackName"] = *name;
    std::lock_guard lock(files->mu);
    if (!files->Write(*name, record)) {
      return res.Send(ErrorResponse({ErrorCode::kService, "Cannot write the stack record"}));
    }
    res.Send(JsonResponse(record));
  });
  r.Add("GET", "/durafn/stacks/{StackName}", [files, name_of](Request req, Responder res) {
    auto name = name_of(req, res);
    if (!name) return;
    std::lock_guard lock(files->mu);
    auto record = files->Read(*name);
    if (!record) return res.Send(NotFound(*name));
    res.Send(JsonResponse(*record));
  });
  r.Add("GET", "/durafn/stacks", [files](Request, Responder res) {
    json list = json::array();
    std::lock_guard lock(files->mu);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(files->dir, ec)) {
      if (e.path().extension() != ".json") continue;
      if (auto record = files->Read(e.path().stem().string())) list.push_back(*record);
    }
    res.Send(JsonResponse({{"Stacks", list}}));
  });
  r.Add("DELETE", "/durafn/stacks/{StackName}", [files, name_of](Request req, Responder res) {
    auto name = name_of(req, res);
    if (!name) return;
    std::lock_guard lock(files->mu);
    std::error_code ec;
    if (!std::filesystem::remove(files->PathOf(*name), ec)) return res.Send(NotFound(*name));
    res.Send(EmptyResponse(204));
  });
  r.Add("GET", "/durafn/identity", [region, account](Request, Responder res) {
    res.Send(JsonResponse({{"Region", region}, {"AccountId", account}}));
  });
}

}  // namespace durafn::api
