// The encoding behind every opaque identifier the engine mints (checkpoint tokens, callback
// ids): a list of fields packed without ambiguity, then base64 with the standard alphabet
// and '=' padding, which is the character set the model allows ([A-Za-z0-9+/]+={0,2}).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace durafn::engine {

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(std::string_view bytes);

// Strict inverse of Base64Encode: rejects other alphabets, missing or misplaced padding and
// non-zero trailing bits, so every identifier has exactly one spelling.
std::optional<std::string> Base64Decode(std::string_view text);

// Packs fields as "<decimal length>:<bytes>" each, so a field may contain any byte.
std::string PackFields(const std::vector<std::string_view>& fields);

// Inverse of PackFields; nullopt unless `packed` holds exactly `count` well-formed fields.
std::optional<std::vector<std::string>> UnpackFields(std::string_view packed, std::size_t count);

}  // namespace durafn::engine
