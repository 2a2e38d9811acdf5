// durafn's extension routes for deployed stacks: `durafn deploy` records what it created
// (resources, physical names, outputs) so `stack outputs` and `delete` work from any
// machine. Not part of AWS's API. One JSON file per stack under <data dir>/stacks/.
//
//   PUT    /durafn/stacks/{StackName}  body: the stack record (a JSON object) -> 200 record
//   GET    /durafn/stacks/{StackName}  -> 200 record | 404 ResourceNotFoundException
//   GET    /durafn/stacks              -> 200 {"Stacks": [record...]}
//   DELETE /durafn/stacks/{StackName}  -> 204 | 404 ResourceNotFoundException
//   GET    /durafn/identity            -> 200 {"Region", "AccountId"} (what ARNs carry)
#pragma once

#include <filesystem>
#include <string>

#include "api/router.h"

namespace durafn::api {

// Adds the routes above; records live in `data_dir`/stacks.
void AddStackRoutes(Router& router, const std::filesystem::path& data_dir, std::string region,
                    std::string account);

}  // namespace durafn::api
