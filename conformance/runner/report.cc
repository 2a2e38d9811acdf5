#include "report.h"

#include <cstdio>
#include <map>

namespace conformance::runner {
namespace {

std::string Xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::vector<std::string> SuiteOrder(const std::vector<Outcome>& outcomes) {
  std::vector<std::string> suites;
  for (const auto& o : outcomes) {
    bool seen = false;
    for (const auto& s : suites)
      seen = seen || s == o.suite;
    if (!seen) suites.push_back(o.suite);
  }
  return suites;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPassed:
      return "PASSED";
    case Verdict::kFailed:
      return "FAILED";
    case Verdict::kNotImplemented:
      return "NOT_IMPLEMENTED";
  }
  return "?";
}

void PrintReport(const std::vector<Outcome>& outcomes, std::ostream& out) {
  int passed = 0, failed = 0, not_implemented = 0;
  for (const auto& suite : SuiteOrder(outcomes)) {
    int sp = 0, sf = 0, sn = 0;
    for (const auto& o : outcomes) {
      if (o.suite != suite) continue;
      (o.verdict == Verdict::kPassed ? sp : o.verdict == Verdict::kFailed ? sf : sn)++;
    }
    out << "\n"
        << suite << ": " << sp << " passed, " << sf << " failed, " << sn << " not implemented\n";
    out << "  " << Pad("ID", 7) << Pad("RESULT", 17) << Pad("TIME", 6) << Pad("SECONDS", 9)
        << "DETAIL\n";
    for (const auto& o : outcomes) {
      if (o.suite != suite) continue;
      out << "  " << Pad(o.id, 7) << Pad(VerdictName(o.verdict), 17)
          << Pad(o.time_mode.empty() ? "-" : o.time_mode, 6) << Pad(Seconds(o.seconds), 9)
          << o.detail << "\n";
    }
    passed += sp;
    failed += sf;
    not_implemented += sn;
  }
  out << "\n" << not_implemented << " not implemented\n";
  out << passed << " passed, " << failed << " failed\n";
}

void WriteJUnit(const std::vector<Outcome>& outcomes, std::ostream& out) {
  int failed = 0, skipped = 0;
  double total = 0;
  for (const auto& o : outcomes) {
    failed += o.verdict == Verdict::kFailed;
    skipped += o.verdict == Verdict::kNotImplemented;
    total += o.seconds;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"durafn-conformance\" tests=\"" << outcomes.size() << "\" failures=\""
      << failed << "\" skipped=\"" << skipped << "\" time=\"" << Seconds(total) << "\">\n";
  for (const auto& suite : SuiteOrder(outcomes)) {
    int n = 0, f = 0, s = 0;
    double t = 0;
    for (const auto& o : outcomes) {
      if (o.suite != suite) continue;
      ++n;
      f += o.verdict == Verdict::kFailed;
      s += o.verdict == Verdict::kNotImplemented;
      t += o.seconds;
    }
    out << "  <testsuite name=\"" << Xml(suite) << "\" tests=\"" << n << "\" failures=\"" << f
        << "\" skipped=\"" << s << "\" time=\"" << Seconds(t) << "\">\n";
    for (const auto& o : outcomes) {
      if (o.suite != suite) continue;
      out << "    <testcase classname=\"" << Xml(suite) << "\" name=\"" << Xml(o.id)
          << (o.description.empty() ? "" : ": " + Xml(o.description)) << "\" time=\""
          << Seconds(o.seconds) << "\">";
      if (!o.time_mode.empty()) {
        out << "<properties><property name=\"time_mode\" value=\"" << Xml(o.time_mode)
            << "\"/></properties>";
      }
      if (o.verdict == Verdict::kFailed) {
        out << "<failure message=\"" << Xml(o.detail) << "\"/>";
      } else if (o.verdict == Verdict::kNotImplemented) {
        out << "<skipped message=\"" << Xml(o.detail) << "\"/>";
      }
      out << "</testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace conformance::runner
