// The outcome of each requirement, printed as one table per suite and written as JUnit XML.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace conformance::runner {

enum class Verdict { kPassed, kFailed, kNotImplemented };

struct Outcome {
  std::string id;
  std::string suite;
  std::string description;
  Verdict verdict = Verdict::kFailed;
  std::string detail;     // the first mismatch, the error, or the declared reason
  std::string time_mode;  // "real" or "skip" ("" when nothing ran)
  double seconds = 0;     // wall time the requirement took
  std::string execution_arn;
  std::string actual;  // the execution and history as read (for --verbose), when known
};

const char* VerdictName(Verdict v);

// One table per suite (in the order the outcomes come), then the totals; the last line is
// "N passed, M failed".
void PrintReport(const std::vector<Outcome>& outcomes, std::ostream& out);

// JUnit XML: a <testsuite> per suite, a <testcase> per requirement; FAILED is <failure>,
// NOT_IMPLEMENTED is <skipped> with its reason.
void WriteJUnit(const std::vector<Outcome>& outcomes, std::ostream& out);

}  // namespace conformance::runner
