#include "hosting/log_filter_pattern.h"

#include <cctype>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

namespace durafn::hosting {
namespace {

using nlohmann::json;

// Deepest nesting of parentheses and longest selector a JSON pattern may have: the pattern is
// at most 1 KiB, but recursion depth must not depend on the input alone.
constexpr int kMaxDepth = 16;

// ---- term patterns ----

struct TermPattern {
  std::vector<std::string> required;
  std::vector<std::string> excluded;
  std::vector<std::string> alternatives;

  bool Matches(std::string_view m) const {
    auto has = [&](const std::string& t) { return m.find(t) != std::string_view::npos; };
    for (const auto& t : required)
      if (!has(t)) return false;
    for (const auto& t : excluded)
      if (has(t)) return false;
    if (alternatives.empty()) return true;
    for (const auto& t : alternatives)
      if (has(t)) return true;
    return false;
  }
};

Result<TermPattern> ParseTerms(std::string_view p) {
  TermPattern out;
  std::size_t i = 0;
  while (i < p.size()) {
    if (std::isspace(static_cast<unsigned char>(p[i]))) {
      ++i;
      continue;
    }
    char prefix = 0;
    if (p[i] == '-' || p[i] == '?') prefix = p[i++];
    std::string term;
    if (i < p.size() && p[i] == '"') {
      ++i;
      bool closed = false;
      while (i < p.size()) {
        char c = p[i++];
        if (c == '\\' && i < p.size()) {
          term += p[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          term += c;
        }
      }
      if (!closed) return Status::InvalidArgument("Unterminated quoted phrase in filter pattern");
    } else {
      while (i < p.size() && !std::isspace(static_cast<unsigned char>(p[i])))
        term += p[i++];
      if (term.empty() && prefix) {
        return Status::InvalidArgument(std::string("A '") + prefix +
                                       "' in a filter pattern must be followed by a term");
      }
      if (!term.empty() && (term.front() == '[' || term.front() == '%')) {
        return Status::InvalidArgument(
            "Space-delimited and regular-expression filter patterns are not supported");
      }
    }
    if (term.empty()) continue;  // "" matches everything: no constraint
    (prefix == '-'   ? out.excluded
     : prefix == '?' ? out.alternatives
                     : out.required)
        .push_back(std::move(term));
  }
  return out;
}

// ---- JSON patterns ----

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kExists, kNotExists };

struct Selector {
  // Object member names (strings) and array indexes, from the root.
  std::vector<std::variant<std::string, std::size_t>> steps;

  const json* Find(const json& root) const {
    const json* at = &root;
    for (const auto& step : steps) {
      if (const auto* name = std::get_if<std::string>(&step)) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(*name);
        if (it == at->end()) return nullptr;
        at = &*it;
      } else {
        std::size_t index = std::get<std::size_t>(step);
        if (!at->is_array() || index >= at->size()) return nullptr;
        at = &(*at)[index];
      }
    }
    return at;
  }
};

// '*' matches any run of characters; everything else literally.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

struct Comparison {
  Selector selector;
  Op op = Op::kEq;
  json value;  // string, number, boolean or null

  bool Matches(const json& root) const {
    const json* field = selector.Find(root);
    if (op == Op::kExists) return field != nullptr;
    if (op == Op::kNotExists) return field == nullptr;
    if (!field) return false;
    bool equal = false;
    if (value.is_string()) {
      equal = field->is_string() &&
              GlobMatch(value.get_ref<const std::string&>(), field->get_ref<const std::string&>());
    } else if (value.is_number()) {
      if (!field->is_number()) return false;
      double a = field->get<double>(), b = value.get<double>();
      switch (op) {
        case Op::kLt:
          return a < b;
        case Op::kLe:
          return a <= b;
        case Op::kGt:
          return a > b;
        case Op::kGe:
          return a >= b;
        default:
          equal = a == b;
      }
    } else {
      equal = *field == value;  // true, false, null
    }
    return op == Op::kEq ? equal : op == Op::kNe ? !equal : false;
  }
};

// An expression tree: a comparison, or an && / || of sub-expressions.
struct Expr {
  enum class Kind { kLeaf, kAnd, kOr } kind = Kind::kLeaf;
  Comparison leaf;
  std::vector<Expr> children;

  bool Matches(const json& root) const {
    switch (kind) {
      case Kind::kLeaf:
        return leaf.Matches(root);
      case Kind::kAnd:
        for (const auto& c : children)
          if (!c.Matches(root)) return false;
        return true;
      case Kind::kOr:
        for (const auto& c : children)
          if (c.Matches(root)) return true;
        return false;
    }
    return false;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  Result<Expr> ParseAll() {
    auto e = ParseOr(0);
    if (!e.ok()) return e;
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text");
    return e;
  }

 private:
  Status Error(std::string what) {
    return Status::InvalidArgument("Invalid JSON filter pattern: " + what + " at offset " +
                                   std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool Eat(std::string_view token) {
    SkipSpace();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  bool EatWord(std::string_view word) {
    SkipSpace();
    if (s_.substr(pos_, word.size()) != word) return false;
    std::size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_'))
      return false;
    pos_ = end;
    return true;
  }

  Result<Expr> ParseOr(int depth) {
    return ParseChain(depth, "||", Expr::Kind::kOr,
                      [this](int d) { return ParseChain(d, "&&", Expr::Kind::kAnd, nullptr); });
  }

  // A chain of `op`-joined operands; the operands of && are primaries.
  Result<Expr> ParseChain(int depth, std::string_view op, Expr::Kind kind,
                          const std::function<Result<Expr>(int)>& operand) {
    auto next = [&]() { return operand ? operand(depth) : ParsePrimary(depth); };
    auto first = next();
    if (!first.ok()) return first;
    Expr chain;
    chain.kind = kind;
    chain.children.push_back(std::move(*first));
    while (Eat(op)) {
      auto more = next();
      if (!more.ok()) return more;
      chain.children.push_back(std::move(*more));
    }
    if (chain.children.size() == 1) return std::move(chain.children.front());
    return chain;
  }

  Result<Expr> ParsePrimary(int depth) {
    if (Eat("(")) {
      if (depth >= kMaxDepth) return Error("parentheses nested too deeply");
      auto inner = ParseOr(depth + 1);
      if (!inner.ok()) return inner;
      if (!Eat(")")) return Error("missing ')'");
      return inner;
    }
    Expr leaf;
    auto selector = ParseSelector();
    if (!selector.ok()) return selector.status();
    leaf.leaf.selector = std::move(*selector);
    if (EatWord("EXISTS")) {
      leaf.leaf.op = Op::kExists;
      return leaf;
    }
    if (EatWord("NOT")) {
      if (!EatWord("EXISTS")) return Error("expected EXISTS after NOT");
      leaf.leaf.op = Op::kNotExists;
      return leaf;
    }
    if (Eat("!=")) {
      leaf.leaf.op = Op::kNe;
    } else if (Eat("<=")) {
      leaf.leaf.op = Op::kLe;
    } else if (Eat(">=")) {
      leaf.leaf.op = Op::kGe;
    } else if (Eat("=")) {
      leaf.leaf.op = Op::kEq;
    } else if (Eat("<")) {
      leaf.leaf.op = Op::kLt;
    } else if (Eat(">")) {
      leaf.leaf.op = Op::kGt;
    } else {
      return Error("expected a comparison operator");
    }
    auto value = ParseValue();
    if (!value.ok()) return value.status();
    leaf.leaf.value = std::move(*value);
    bool ordering = leaf.leaf.op != Op::kEq && leaf.leaf.op != Op::kNe;
    if (ordering && !leaf.leaf.value.is_number()) {
      return Error("<, <=, > and >= compare numbers only");
    }
    return leaf;
  }

  Result<Selector> ParseSelector() {
    SkipSpace();
    if (!Eat("$")) return Error("expected a selector starting with $");
    Selector sel;
    while (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == '[')) {
      if (sel.steps.size() >= 32) return Error("selector too long");
      if (s_[pos_] == '.') {
        ++pos_;
        std::size_t start = pos_;
        while (pos_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                s_[pos_] == '-' || s_[pos_] == '@' || s_[pos_] == ':'))
          ++pos_;
        if (pos_ == start) return Error("expected a member name after '.'");
        sel.steps.emplace_back(std::string(s_.substr(start, pos_ - start)));
      } else {
        ++pos_;
        std::size_t index = 0, digits = 0;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) &&
               digits < 9) {
          index = index * 10 + static_cast<std::size_t>(s_[pos_++] - '0');
          ++digits;
        }
        if (digits == 0 || pos_ >= s_.size() || s_[pos_] != ']') {
          return Error("expected [index]");
        }
        ++pos_;
        sel.steps.emplace_back(index);
      }
    }
    if (sel.steps.empty()) return Error("a selector needs at least one member, like $.level");
    return sel;
  }

  Result<json> ParseValue() {
    SkipSpace();
    if (pos_ >= s_.size()) return Error("expected a value");
    if (s_[pos_] == '"') {
      ++pos_;
      std::string out;
      while (pos_ < s_.size()) {
        char c = s_[pos_++];
        if (c == '\\' && pos_ < s_.size()) {
          out += s_[pos_++];
        } else if (c == '"') {
          return json(std::move(out));
        } else {
          out += c;
        }
      }
      return Error("unterminated string");
    }
    if (EatWord("true")) return json(true);
    if (EatWord("false")) return json(false);
    if (EatWord("null")) return json(nullptr);
    std::size_t start = pos_;
    if (s_[pos_] == '-' || s_[pos_] == '+') ++pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    std::string number(s_.substr(start, pos_ - start));
    json n = json::parse(number, nullptr, false);
    if (n.is_discarded() || !n.is_number()) {
      pos_ = start;
      return Error("expected a string, number, true, false or null");
    }
    return n;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

struct LogFilterPattern::Impl {
  bool all = false;
  std::optional<Expr> json_expr;
  TermPattern terms;
};

LogFilterPattern::LogFilterPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogFilterPattern::LogFilterPattern(LogFilterPattern&&) noexcept = default;
LogFilterPattern& LogFilterPattern::operator=(LogFilterPattern&&) noexcept = default;
LogFilterPattern::~LogFilterPattern() = default;

Result<LogFilterPattern> LogFilterPattern::Parse(std::string_view pattern) {
  if (pattern.size() > kMaxFilterPatternBytes) {
    return Status::InvalidArgument("The filter pattern is longer than " +
                                   std::to_string(kMaxFilterPatternBytes) + " bytes");
  }
  auto impl = std::make_unique<Impl>();
  std::size_t b = pattern.find_first_not_of(" \t\r\n");
  std::size_t e = pattern.find_last_not_of(" \t\r\n");
  std::string_view trimmed =
      b == std::string_view::npos ? std::string_view{} : pattern.substr(b, e - b + 1);
  if (!trimmed.empty() && trimmed.front() == '{') {
    if (trimmed.back() != '}') {
      return Status::InvalidArgument("Invalid JSON filter pattern: missing closing '}'");
    }
    auto expr = JsonParser(trimmed.substr(1, trimmed.size() - 2)).ParseAll();
    if (!expr.ok()) return expr.status();
    impl->json_expr = std::move(*expr);
  } else {
    auto terms = ParseTerms(trimmed);
    if (!terms.ok()) return terms.status();
    impl->terms = std::move(*terms);
    impl->all = impl->terms.required.empty() && impl->terms.excluded.empty() &&
                impl->terms.alternatives.empty();
  }
  return LogFilterPattern(std::move(impl));
}

bool LogFilterPattern::matches_all() const {
  return impl_->all;
}

bool LogFilterPattern::is_json() const {
  return impl_->json_expr.has_value();
}

bool LogFilterPattern::Matches(std::string_view message, const json* parsed) const {
  if (impl_->all) return true;
  if (impl_->json_expr) return parsed && parsed->is_object() && impl_->json_expr->Matches(*parsed);
  return impl_->terms.Matches(message);
}

}  // namespace durafn::hosting
