#include "store/execution_store.h"

#include "protocol/arn.h"

namespace durafn::store {

Result<std::string> UnqualifiedFunctionArn(std::string_view execution_arn) {
  // Lenient: the version does not matter here, and foreign ARNs may carry an alias there.
  auto arn = protocol::ParseDurableExecutionArnLenient(execution_arn);
  if (!arn.ok()) return Status::InvalidArgument(arn.status().message());
  return protocol::FormatFunctionArn(arn->partition, arn->region, arn->account, arn->function_name);
}

}  // namespace durafn::store
