#include "durafn/serdes.h"

#include <cstdint>
#include <string_view>

#include "durafn/errors.h"

namespace durafn {

namespace {

using nlohmann::json;

// Reads the plain JSON that checkpointed values usually are (objects, arrays, strings
// without escapes or non-ASCII bytes, integers of up to 18 digits, literals) straight into
// a json value, skipping the general parser's per-call and per-character overhead, which
// dominated replay. Anything else, including every malformed text, is refused, and the
// general parser then produces the value or the error exactly as before.
class PlainJsonReader {
 public:
  explicit PlainJsonReader(std::string_view text)
      : p_(text.data()), end_(text.data() + text.size()) {}

  bool Read(json& out) {
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  bool Value(json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return depth < kMaxDepth && Object(out, depth + 1);
      case '[':
        return depth < kMaxDepth && Array(out, depth + 1);
      case '"': {
        std::string_view s;
        if (!String(s)) return false;
        out = std::string(s);
        return true;
      }
      case 't':
        return Literal("true", out, json(true));
      case 'f':
        return Literal("false", out, json(false));
      case 'n':
        return Literal("null", out, json(nullptr));
      default:
        return Number(out);
    }
  }

  bool Object(json& out, int depth) {
    ++p_;  // '{'
    out = json::object();
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    auto& members = out.get_ref<json::object_t&>();
    while (true) {
      SkipSpace();
      std::string_view key;
      if (p_ == end_ || *p_ != '"' || !String(key)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      json value;
      if (!Value(value, depth)) return false;
      members[std::string(key)] = std::move(value);  // a repeated key keeps the last value
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool Array(json& out, int depth) {
    ++p_;  // '['
    out = json::array();
    SkipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    auto& elements = out.get_ref<json::array_t&>();
    while (true) {
      SkipSpace();
      if (!Value(elements.emplace_back(), depth)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool String(std::string_view& out) {
    const char* start = ++p_;  // after '"'
    while (p_ != end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  bool Literal(std::string_view word, json& out, json value) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    out = std::move(value);
    return true;
  }

  // Integers as the general parser types them: unsigned when non-negative, signed otherwise.
  bool Number(json& out) {
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return false;
    uint64_t v = 0;
    int digits = 0;
    for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      if (++digits > 18) return false;
      v = v * 10 + static_cast<uint64_t>(*p_ - '0');
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    if (negative) {
      out = -static_cast<int64_t>(v);
    } else {
      out = v;
    }
    return true;
  }

  const char* p_;
  const char* end_;
};

json ParseJsonText(const std::string& text) {
  json value;
  if (PlainJsonReader(text).Read(value)) return value;
  return json::parse(text);
}

}  // namespace

const Serdes& json_serdes() {
  static const Serdes kSerdes{[](const nlohmann::json& v) -> std::optional<std::string> {
                                if (v.is_discarded()) return std::nullopt;
                                return v.dump();
                              },
                              [](const std::optional<std::string>& text) -> nlohmann::json {
                                if (!text || text->empty()) return nullptr;
                                return ParseJsonText(*text);
                              }};
  return kSerdes;
}

const Serdes& passthrough_serdes() {
  static const Serdes kSerdes{[](const nlohmann::json& v) -> std::optional<std::string> {
                                if (v.is_discarded() || v.is_null()) return std::nullopt;
                                if (v.is_string()) return v.get<std::string>();
                                return v.dump();
                              },
                              [](const std::optional<std::string>& text) -> nlohmann::json {
                                if (!text) return nullptr;
                                return *text;
                              }};
  return kSerdes;
}

}  // namespace durafn
