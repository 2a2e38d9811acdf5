#include "protocol/operation_id.h"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>

namespace durafn::protocol {

std::string OperationPath(std::string_view parent_path, uint64_t n) {
  if (parent_path.empty()) return std::to_string(n);
  std::string path(parent_path);
  path += '-';
  path += std::to_string(n);
  return path;
}

std::string HashOperationId(std::string_view path) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(path.data(), path.size(), digest.data(), &len, EVP_md5(), nullptr) != 1) {
    // Only fails if the crypto library is broken; ids must never silently differ.
    throw std::runtime_error("EVP_Digest(md5) failed");
  }
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
