// Operation ids on the SDK's hot path: the same md5-based ids as protocol::HashOperationId,
// computed with a digest fetched once and a per-thread context (OpenSSL 3's one-shot
// EVP_Digest re-fetches the algorithm on every call, which dominated replay time).
#pragma once

#include <string>
#include <string_view>

namespace durafn::sdk {

// Equals protocol::HashOperationId(path).
std::string OperationIdFor(std::string_view path);

}  // namespace durafn::sdk
