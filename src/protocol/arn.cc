#include "protocol/arn.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace durafn::protocol {
namespace {

// Character classes by hand: <cctype> is locale-dependent and <regex> is slow.
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsAliasChar(char c) {
  return IsLower(c) || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_';
}
bool IsNameChar(char c) {
  return IsAliasChar(c) || c == '.';
}
bool IsPartitionSuffixChar(char c) {
  return IsLower(c) || c == '-';
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool AllDigits(std::string_view s) {
  return !s.empty() && AllOf(s, IsDigit);
}
bool IsVersionNumber(std::string_view s) {
  return AllDigits(s) && s[0] != '0';
}
bool IsFixedVersion(std::string_view s) {
  return s == kLatest || s == kLatestPublished || IsVersionNumber(s);
}

// Builds an InvalidArgument status from string-like pieces.
template <class... Parts>
Status Invalid(const Parts&... parts) {
  std::string message;
  (message.append(std::string_view(parts)), ...);
  return Status::InvalidArgument(std::move(message));
}

std::string Quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// A character as it should appear in a message; control and non-ASCII bytes as \xNN.
std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
  return buf;
}

// OK iff `value` (called `what` in messages) has 1..max_len characters, all `allowed`.
Status CheckToken(std::string_view what, std::string_view value, size_t max_len,
                  bool (*allowed)(char)) {
  if (value.empty()) return Invalid(what, " is empty");
  if (value.size() > max_len) {
    return Invalid(what, " ", Quote(value), " is longer than ", std::to_string(max_len),
                   " characters");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!allowed(value[i])) {
      return Invalid(what, " ", Quote(value), " has invalid character '", Printable(value[i]),
                     "' at position ", std::to_string(i));
    }
  }
  return Status::Ok();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t pos = s.find(sep);
    parts.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return parts;
    s.remove_prefix(pos + 1);
  }
}

// "aws", or "aws-" plus [a-z-]+ (aws-cn, aws-us-gov, ...).
Status ValidatePartition(std::string_view p) {
  bool ok = p == "aws" ||
            (p.size() > 4 && p.starts_with("aws-") && AllOf(p.substr(4), IsPartitionSuffixChar));
  if (ok) return Status::Ok();
  return Invalid("partition ", Quote(p),
                 " must be 'aws' or 'aws-' followed by lowercase letters and '-'");
}

// Two lowercase letters, one or more lowercase-letter segments, then a single digit, joined by
// '-': us-east-1, us-gov-west-1. Same shape as the Lambda API model's region pattern.
Status ValidateRegion(std::string_view r) {
  std::vector<std::string_view> segments = Split(r, '-');
  bool ok = segments.size() >= 3 && segments.front().size() == 2 &&
            AllOf(segments.front(), IsLower) && segments.back().size() == 1 &&
            IsDigit(segments.back()[0]);
  for (size_t i = 1; ok && i + 1 < segments.size(); ++i) {
    ok = !segments[i].empty() && AllOf(segments[i], IsLower);
  }
  if (ok) return Status::Ok();
  return Invalid("region ", Quote(r), " is not a region name like 'us-east-1'");
}

Status ValidateAccount(std::string_view a) {
  if (a.size() == 12 && AllDigits(a)) return Status::Ok();
  return Invalid("account id ", Quote(a), " must be 12 digits");
}

// Checks arn:PARTITION:lambda:REGION:ACCOUNT:function of an ARN split on ':' into `parts`
// (parts[0] == "arn"); `arn` is the text they came from, for messages. Fails on fewer than 7 parts.
// The service is checked first so that a foreign ARN (arn:aws:s3:::bucket) is named as such.
Status CheckLambdaArnHead(const std::vector<std::string_view>& parts, std::string_view arn) {
  if (parts.size() >= 3 && parts[2] != "lambda") {
    return Invalid("ARN ", Quote(arn), " is not a Lambda function ARN (service ", Quote(parts[2]),
                   ")");
  }
  if (parts.size() < 7) {
    return Invalid("ARN ", Quote(arn), " has ", std::to_string(parts.size()),
                   " ':'-separated parts; expected "
                   "arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]");
  }
  if (Status s = ValidatePartition(parts[1]); !s.ok()) return s;
  if (Status s = ValidateRegion(parts[3]); !s.ok()) return s;
  if (Status s = ValidateAccount(parts[4]); !s.ok()) return s;
  if (parts[5] != "function") {
    return Invalid("ARN ", Quote(arn), " has ", Quote(parts[5]), " where 'function' was expected");
  }
  return Status::Ok();
}

Result<DurableExecutionArn> ParseDurableExecutionArnImpl(std::string_view text, bool allow_alias) {
  if (text.empty()) return Invalid("durable execution ARN is empty");
  if (text.size() > kMaxDurableExecutionArnLength) {
    return Invalid("durable execution ARN is longer than ",
                   std::to_string(kMaxDurableExecutionArnLength), " characters");
  }
  constexpr std::string_view kMarker = "/durable-execution/";
  size_t marker = text.find(kMarker);
  if (marker == std::string_view::npos) {
    return Invalid("durable execution ARN has no '/durable-execution/' part");
  }
  std::string_view head = text.substr(0, marker);
  std::string_view tail = text.substr(marker + kMarker.size());

  std::vector<std::string_view> parts = Split(head, ':');
  if (parts[0] != "arn") {
    return Invalid("durable execution ARN ", Quote(text), " does not start with 'arn:'");
  }
  if (Status s = CheckLambdaArnHead(parts, head); !s.ok()) return s;
  if (parts.size() == 7) {
    return Invalid("durable execution ARN has no version after function name ", Quote(parts[6]));
  }
  if (parts.size() > 8) {
    return Invalid("durable execution ARN function part ", Quote(head), " has too many ':' (",
                   std::to_string(parts.size()), " parts; expected 8)");
  }
  if (Status s = ValidateFunctionName(parts[6]); !s.ok()) return s;
  std::string_view version = parts[7];
  if (!IsFixedVersion(version) && !(allow_alias && ValidateAliasName(version).ok())) {
    return Invalid("durable execution ARN version ", Quote(version),
                   allow_alias ? " must be $LATEST, $LATEST.PUBLISHED, a version number or an alias"
                               : " must be $LATEST, $LATEST.PUBLISHED or a version number");
  }

  size_t slash = tail.find('/');
  if (slash == std::string_view::npos) {
    return Invalid("durable execution ARN has no execution id after execution name ", Quote(tail));
  }
  std::string_view name = tail.substr(0, slash);
  std::string_view id = tail.substr(slash + 1);
  std::string_view extra;
  if (size_t end = id.find('/'); end != std::string_view::npos) {
    extra = id.substr(end);
    id = id.substr(0, end);
  }
  if (Status s = CheckToken("execution name", name, kMaxExecutionNameLength, IsAliasChar);
      !s.ok()) {
    return s;
  }
  if (Status s = CheckToken("execution id", id, kMaxExecutionIdLength, IsAliasChar); !s.ok()) {
    return s;
  }
  if (!extra.empty()) {
    return Invalid("durable execution ARN has extra text ", Quote(extra), " after execution id ",
                   Quote(id));
  }
  return DurableExecutionArn{std::string(parts[1]), std::string(parts[3]), std::string(parts[4]),
                             std::string(parts[6]), std::string(version),  std::string(name),
                             std::string(id)};
}

}  // namespace

QualifierKind FunctionRef::qualifier_kind() const {
  if (!qualifier) return QualifierKind::kNone;
  if (*qualifier == kLatest) return QualifierKind::kLatest;
  if (*qualifier == kLatestPublished) return QualifierKind::kLatestPublished;
  if (AllDigits(*qualifier)) return QualifierKind::kVersion;
  return QualifierKind::kAlias;
}

std::string FunctionRef::ToString() const {
  std::optional<std::string_view> q;
  if (qualifier) q = *qualifier;
  if (partition) {
    return FormatFunctionArn(*partition, region.value_or(""), account.value_or(""), name, q);
  }
  std::string out = account ? *account + ":function:" : "";
  out += name;
  if (q) out.append(":").append(*q);
  return out;
}

Status ValidateFunctionName(std::string_view name) {
  return CheckToken("function name", name, kMaxFunctionNameLength, IsNameChar);
}

Status ValidateAliasName(std::string_view alias) {
  if (Status s = CheckToken("alias name", alias, kMaxQualifierLength, IsAliasChar); !s.ok()) {
    return s;
  }
  if (AllDigits(alias)) {
    return Invalid("alias name ", Quote(alias), " must not be all digits (that is a version)");
  }
  return Status::Ok();
}

Status ValidateQualifier(std::string_view q) {
  if (q.empty()) return Invalid("qualifier is empty");
  if (q.size() > kMaxQualifierLength) {
    return Invalid("qualifier ", Quote(q), " is longer than ", std::to_string(kMaxQualifierLength),
                   " characters");
  }
  if (q == kLatest || q == kLatestPublished) return Status::Ok();
  if (q[0] == '$') {
    return Invalid("qualifier ", Quote(q),
                   " must be $LATEST, $LATEST.PUBLISHED, a version number or an alias name");
  }
  if (AllDigits(q)) {
    if (q[0] == '0')
      return Invalid("qualifier ", Quote(q), " is a version number with a leading 0");
    return Status::Ok();
  }
  return CheckToken("qualifier", q, kMaxQualifierLength, IsAliasChar);
}

Result<FunctionRef> ParseFunctionRef(std::string_view text) {
  if (text.empty()) return Invalid("function identifier is empty");
  if (text.size() > kMaxFunctionIdentifierLength) {
    return Invalid("function identifier is longer than ",
                   std::to_string(kMaxFunctionIdentifierLength), " characters");
  }
  std::vector<std::string_view> parts = Split(text, ':');
  FunctionRef ref;
  size_t name_index = 0;
  // "arn:X" is a function called "arn" with qualifier X, as in Lambda's own pattern.
  if (parts[0] == "arn" && parts.size() > 2) {
    if (Status s = CheckLambdaArnHead(parts, text); !s.ok()) return s;
    if (parts.size() > 8) {
      return Invalid("ARN ", Quote(text), " has too many ':' (", std::to_string(parts.size()),
                     " parts; at most 8)");
    }
    ref.partition = std::string(parts[1]);
    ref.region = std::string(parts[3]);
    ref.account = std::string(parts[4]);
    name_index = 6;
  } else if (parts.size() >= 3) {
    if (parts.size() > 4) {
      return Invalid("function identifier ", Quote(text), " has too many ':' (",
                     std::to_string(parts.size()), " parts; at most 4 unless it is an ARN)");
    }
    if (parts[1] != "function") {
      return Invalid("function identifier ", Quote(text), " has ", Quote(parts[1]),
                     " where 'function' was expected (ACCOUNT:function:NAME)");
    }
    if (Status s = ValidateAccount(parts[0]); !s.ok()) return s;
    ref.account = std::string(parts[0]);
    name_index = 2;
  }
  if (Status s = ValidateFunctionName(parts[name_index]); !s.ok()) return s;
  ref.name = std::string(parts[name_index]);
  if (name_index + 1 < parts.size()) {
    std::string_view q = parts[name_index + 1];
    if (Status s = ValidateQualifier(q); !s.ok()) return s;
    ref.qualifier = std::string(q);
  }
  return ref;
}

std::string FormatFunctionArn(std::string_view partition, std::string_view region,
                              std::string_view account, std::string_view name,
                              std::optional<std::string_view> qualifier) {
  std::string out = "arn:";
  out.append(partition).append(":lambda:").append(region).append(":").append(account);
  out.append(":function:").append(name);
  if (qualifier) out.append(":").append(*qualifier);
  return out;
}

std::string DurableExecutionArn::ToString() const {
  return FunctionArn() + "/durable-execution/" + execution_name + "/" + execution_id;
}

std::string DurableExecutionArn::FunctionArn() const {
  return FormatFunctionArn(partition, region, account, function_name, version);
}

Result<DurableExecutionArn> ParseDurableExecutionArn(std::string_view text) {
  return ParseDurableExecutionArnImpl(text, /*allow_alias=*/false);
}

Result<DurableExecutionArn> ParseDurableExecutionArnLenient(std::string_view text) {
  return ParseDurableExecutionArnImpl(text, /*allow_alias=*/true);
}

}  // namespace durafn::protocol
