#include "sdk/operation_ids.h"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

#include "protocol/operation_id.h"

namespace durafn::sdk {

namespace {

struct Md5 {
  Md5() : md(EVP_MD_fetch(nullptr, "MD5", nullptr)), ctx(EVP_MD_CTX_new()) {}
  ~Md5() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  EVP_MD* md;
  EVP_MD_CTX* ctx;
};

}  // namespace

std::string OperationIdFor(std::string_view path) {
  thread_local Md5 h;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!h.md || !h.ctx || EVP_DigestInit_ex(h.ctx, h.md, nullptr) != 1 ||
      EVP_DigestUpdate(h.ctx, path.data(), path.size()) != 1 ||
      EVP_DigestFinal_ex(h.ctx, digest, &len) != 1) {
    return protocol::HashOperationId(path);  // the slow path still gives the same id
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 0; i < 8; ++i) {
    id[2 * i] = kHex[digest[i] >> 4];
    id[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return id;
}

}  // namespace durafn::sdk
