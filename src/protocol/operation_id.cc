#include "protocol/operation_id.h"

// The direct MD5 call is deprecated in OpenSSL 3 in favour of EVP, whose per-call dispatch
// costs more than hashing these short paths (ids are computed for every replayed operation).
// MD5 here is an identifier scheme the wire protocol fixes, not a security measure.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

namespace durafn::protocol {

std::string OperationPath(std::string_view parent_path, uint64_t n) {
  if (parent_path.empty()) return std::to_string(n);
  std::string path(parent_path);
  path += '-';
  path += std::to_string(n);
  return path;
}

std::string HashOperationId(std::string_view path) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  MD5(reinterpret_cast<const unsigned char*>(path.data()), path.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (std::size_t i = 0; i < 8; ++i) {
    id[2 * i] = kHex[digest[i] >> 4];
    id[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return id;
}

std::string ExecutionResultOperationId(int64_t epoch_ms) {
  return HashOperationId("execution-result-" + std::to_string(epoch_ms));
}

}  // namespace durafn::protocol
