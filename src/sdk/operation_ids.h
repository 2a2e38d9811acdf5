// Operation ids on the SDK's hot path: the same md5-based ids as protocol::HashOperationId,
// computed with OpenSSL's direct MD5 call rather than its EVP layer, whose per-call overhead
// exceeded the hashing itself for these short paths (it dominated replay time).
#pragma once

#include <string>
#include <string_view>

namespace durafn::sdk {

// Equals protocol::HashOperationId(path).
std::string OperationIdFor(std::string_view path);

}  // namespace durafn::sdk
