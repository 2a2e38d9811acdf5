#include "sdk/operation_ids.h"

// The low-level MD5 call is deprecated in OpenSSL 3 in favour of EVP, whose per-call
// dispatch costs more than hashing these short paths (it dominated replay time). MD5 here is
// an identifier scheme fixed by the wire protocol, not a security measure.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

namespace durafn::sdk {

std::string OperationIdFor(std::string_view path) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  MD5(reinterpret_cast<const unsigned char*>(path.data()), path.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 0; i < 8; ++i) {
    id[2 * i] = kHex[digest[i] >> 4];
    id[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return id;
}

}  // namespace durafn::sdk
