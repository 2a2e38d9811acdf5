#include "sdk/operation_ids.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

namespace durafn::sdk {

namespace {

// MD5 (RFC 1321), computed here because the ids are short (one or two 64-byte blocks) and
// OpenSSL 3's EVP layer costs more per call than the compression itself.
struct Md5Tables {
  std::array<uint32_t, 64> k{};
  Md5Tables() {
    // K[i] = floor(|sin(i + 1)| * 2^32), as the RFC defines the table.
    for (int i = 0; i < 64; ++i)
      k[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
  }
};

constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

inline uint32_t Rotl(uint32_t x, int s) {
  return (x << s) | (x >> (32 - s));
}

inline uint32_t LoadLe32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// Step I of 64, unrolled at compile time so the round function, message index and shift
// are constants. The four state words rotate roles: step I updates word (64 - I) % 4.
template <int I>
inline void Step(uint32_t (&v)[4], const uint32_t (&m)[16], const std::array<uint32_t, 64>& k) {
  constexpr int a = (64 - I) % 4, b = (a + 1) % 4, c = (a + 2) % 4, d = (a + 3) % 4;
  uint32_t f;
  int g;
  if constexpr (I < 16) {
    f = (v[b] & v[c]) | (~v[b] & v[d]);
    g = I;
  } else if constexpr (I < 32) {
    f = (v[d] & v[b]) | (~v[d] & v[c]);
    g = (5 * I + 1) % 16;
  } else if constexpr (I < 48) {
    f = v[b] ^ v[c] ^ v[d];
    g = (3 * I + 5) % 16;
  } else {
    f = v[c] ^ (v[b] | ~v[d]);
    g = (7 * I) % 16;
  }
  v[a] = v[b] + Rotl(v[a] + f + k[I] + m[g], kShift[I]);
}

void Compress(std::array<uint32_t, 4>& h, const unsigned char* block) {
  static const Md5Tables tables;
  uint32_t m[16];
  for (int i = 0; i < 16; ++i)
    m[i] = LoadLe32(block + 4 * i);
  uint32_t v[4] = {h[0], h[1], h[2], h[3]};
  [&]<int... I>(std::integer_sequence<int, I...>) {
    (Step<I>(v, m, tables.k), ...);
  }
  (std::make_integer_sequence<int, 64>{});
  for (int i = 0; i < 4; ++i)
    h[i] += v[i];
}

// The first 8 bytes of md5(text), as the 4 state words hold them (little-endian).
std::array<uint32_t, 4> Md5(std::string_view text) {
  std::array<uint32_t, 4> h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  for (; n >= 64; n -= 64, p += 64)
    Compress(h, p);
  // The tail, the 0x80 marker, zero padding and the message length in bits.
  unsigned char tail[128] = {};
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  std::size_t tail_len = n < 56 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(text.size()) * 8;
  for (int i = 0; i < 8; ++i)
    tail[tail_len - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
  Compress(h, tail);
  if (tail_len == 128) Compress(h, tail + 64);
  return h;
}

}  // namespace

std::string OperationIdFor(std::string_view path) {
  std::array<uint32_t, 4> h = Md5(path);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 0; i < 8; ++i) {
    auto byte = static_cast<unsigned>(h[i / 4] >> (8 * (i % 4))) & 0xff;
    id[2 * i] = kHex[byte >> 4];
    id[2 * i + 1] = kHex[byte & 0xf];
  }
  return id;
}

}  // namespace durafn::sdk
