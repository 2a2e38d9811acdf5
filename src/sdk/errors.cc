#include "durafn/errors.h"

#include <cstdlib>
#include <typeinfo>

#include <cxxabi.h>

namespace durafn {

Error::Error(std::string type, const std::string& message, std::optional<std::string> data,
             std::shared_ptr<const ErrorInfo> cause)
    : std::runtime_error(message),
      type_(std::move(type)),
      data_(std::move(data)),
      cause_(std::move(cause)) {}

ErrorInfo Error::info() const {
  return ErrorInfo{type_, what(), data_, cause_};
}

namespace {

// The unqualified class name of `e`'s dynamic type; "Error" for standard library classes,
// as a plain JavaScript Error is named.
std::string ClassName(const std::exception& e) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : typeid(e).name();
  std::free(demangled);
  if (name.starts_with("std::")) return "Error";
  if (auto pos = name.rfind("::"); pos != std::string::npos) name = name.substr(pos + 2);
  return name.empty() ? "Error" : name;
}

}  // namespace

ErrorInfo ErrorInfoFromException(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return err.info();
  } catch (const std::exception& err) {
    return ErrorInfo{ClassName(err), err.what(), std::nullopt, nullptr};
  } catch (...) {
    return ErrorInfo{"Error", "unknown exception (not derived from std::exception)", std::nullopt,
                     nullptr};
  }
}

void ThrowDurableError(const ErrorInfo& info) {
  auto cause = info.cause;
  const std::string& t = info.type;
  if (t == "StepError") throw StepError(info.message, info.data, cause);
  if (t == "StepInterruptedError") throw StepInterruptedError(info.message, info.data, cause);
  if (t == "CallbackError") throw CallbackError(info.message, info.data, cause);
  if (t == "CallbackExternalError") throw CallbackExternalError(info.message, info.data, cause);
  if (t == "CallbackTimeoutError") throw CallbackTimeoutError(info.message, info.data, cause);
  if (t == "CallbackSubmitterError") throw CallbackSubmitterError(info.message, info.data, cause);
  if (t == "InvokeError") throw InvokeError(info.message, info.data, cause);
  if (t == "ChildContextError") throw ChildContextError(info.message, info.data, cause);
  if (t == "WaitForConditionError") throw WaitForConditionError(info.message, info.data, cause);
  throw StepError(info.message, info.data, std::make_shared<const ErrorInfo>(info));
}

}  // namespace durafn
