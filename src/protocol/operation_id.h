// Operation ids as AWS's JavaScript SDK derives them, so a C++ function's history uses the
// same ids a JS function's would.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace durafn::protocol {

// The logical path of the n-th (1-based) durable operation called in a context whose own
// path is `parent_path` ("" for the root): "n" at the root, "<parent_path>-n" below it.
std::string OperationPath(std::string_view parent_path, uint64_t n);

// The wire id of the operation at `path`: the first 16 hex digits of md5(path), lowercase.
// E.g. "1" -> "c4ca4238a0b92382", "1-1" -> "ea66c06c1e1c05fa".
std::string HashOperationId(std::string_view path);

// The id the SDK gives the EXECUTION update that carries an oversized result:
// HashOperationId("execution-result-<epoch_ms>").
std::string ExecutionResultOperationId(int64_t epoch_ms);

}  // namespace durafn::protocol
