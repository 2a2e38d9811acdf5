#include "engine/opaque_id.h"

#include <array>
#include <cassert>
#include <cstdint>

namespace durafn::engine {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Index of `c` in kAlphabet, or -1.
int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// A field length never needs more digits than this (fields are bounded far below 10^9).
constexpr std::size_t kMaxLengthDigits = 9;

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::array<int, 4> v{};
    for (std::size_t k = 0; k < 4; ++k) {
      bool pad_slot = last && k >= 4 - padding;
      if (pad_slot) {
        if (text[i + k] != '=') return std::nullopt;
        v[k] = 0;
        continue;
      }
      v[k] = DecodeChar(text[i + k]);
      if (v[k] < 0) return std::nullopt;
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    if (!last || padding < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (!last || padding < 1) out.push_back(static_cast<char>(n & 0xFF));
    // Canonical form: the bits that padding leaves unused must be zero.
    if (last && padding == 1 && (n & 0xFF) != 0) return std::nullopt;
    if (last && padding == 2 && (n & 0xFFFF) != 0) return std::nullopt;
  }
  return out;
}

std::string PackFields(const std::vector<std::string_view>& fields) {
  std::string out;
  for (std::string_view f : fields) {
    assert(std::to_string(f.size()).size() <= kMaxLengthDigits);
    out += std::to_string(f.size());
    out.push_back(':');
    out.append(f);
  }
  return out;
}

std::optional<std::vector<std::string>> UnpackFields(std::string_view packed, std::size_t count) {
  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (pos < packed.size()) {
    if (fields.size() == count) return std::nullopt;  // trailing garbage
    std::size_t colon = packed.find(':', pos);
    if (colon == std::string_view::npos || colon == pos || colon - pos > kMaxLengthDigits) {
      return std::nullopt;
    }
    std::size_t len = 0;
    for (std::size_t i = pos; i < colon; ++i) {
      char c = packed[i];
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<std::size_t>(c - '0');
    }
    // One spelling per length: no leading zeros.
    if (packed[pos] == '0' && colon - pos > 1) return std::nullopt;
    if (packed.size() - (colon + 1) < len) return std::nullopt;
    fields.emplace_back(packed.substr(colon + 1, len));
    pos = colon + 1 + len;
  }
  if (fields.size() != count) return std::nullopt;
  return fields;
}

}  // namespace durafn::engine
