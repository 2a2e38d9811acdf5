// Lambda function identifiers and durable execution ARNs: parsing, validation, formatting.
//
// The accepted shapes follow the Lambda API model (the FunctionName / Qualifier patterns of
// Invoke and the durable execution ARN). Checks are hand-written character-class tests, and every
// error names the faulty part, because these messages go straight back to API callers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace durafn::protocol {

// Limits from the Lambda API model.
inline constexpr size_t kMaxFunctionIdentifierLength = 170;
inline constexpr size_t kMaxFunctionNameLength = 64;
inline constexpr size_t kMaxQualifierLength = 128;
inline constexpr size_t kMaxExecutionNameLength = 64;
inline constexpr size_t kMaxExecutionIdLength = 64;
inline constexpr size_t kMaxDurableExecutionArnLength = 1024;

inline constexpr std::string_view kLatest = "$LATEST";
inline constexpr std::string_view kLatestPublished = "$LATEST.PUBLISHED";

enum class QualifierKind { kNone, kLatest, kLatestPublished, kVersion, kAlias };

// The parts of a function identifier. Which optional fields are set tells the form it came in:
// none (NAME[:QUALIFIER]), only account (partial ARN), or all three (full ARN).
struct FunctionRef {
  std::optional<std::string> partition, region, account;
  std::string name;
  std::optional<std::string> qualifier;

  // How the qualifier reads; kNone when there is none. Assumes a validated qualifier.
  QualifierKind qualifier_kind() const;
  // Formats the identifier back in the form it was parsed from.
  std::string ToString() const;

  bool operator==(const FunctionRef&) const = default;
};

// Parses NAME, NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER] or
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. "arn:X" alone is NAME:QUALIFIER.
Result<FunctionRef> ParseFunctionRef(std::string_view text);

// OK iff `q` is $LATEST, $LATEST.PUBLISHED, a version number (digits, no leading zero) or a valid
// alias name. Use it for a qualifier given on its own, e.g. Invoke's `Qualifier` parameter.
Status ValidateQualifier(std::string_view q);

// OK iff `name` is a bare function name: 1-64 characters of [a-zA-Z0-9-_.].
Status ValidateFunctionName(std::string_view name);

// OK iff `alias` is 1-128 characters of [a-zA-Z0-9-_] and not all digits (that would be a version).
Status ValidateAliasName(std::string_view alias);

// Returns arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. Does not validate: the
// parts are expected to have been checked already.
std::string FormatFunctionArn(std::string_view partition, std::string_view region,
                              std::string_view account, std::string_view name,
                              std::optional<std::string_view> qualifier = std::nullopt);

// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME:VERSION/durable-execution/EXEC_NAME/EXEC_ID
struct DurableExecutionArn {
  std::string partition, region, account, function_name, version, execution_name, execution_id;

  // Formats the ARN; the inverse of ParseDurableExecutionArn.
  std::string ToString() const;
  // The function ARN qualified by `version`, i.e. the function version that runs the execution.
  std::string FunctionArn() const;

  bool operator==(const DurableExecutionArn&) const = default;
};

// Parses a durable execution ARN. The version must be $LATEST, $LATEST.PUBLISHED or a number.
Result<DurableExecutionArn> ParseDurableExecutionArn(std::string_view text);

// Like ParseDurableExecutionArn but also accepts an alias name as the version. Only for reading
// foreign data (AWS's own sample traces put aliases there); never for ARNs we mint.
Result<DurableExecutionArn> ParseDurableExecutionArnLenient(std::string_view text);

}  // namespace durafn::protocol
