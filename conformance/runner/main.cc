// durafn-conformance: runs the language-neutral durable-execution requirements against a
// durafn server and reports PASSED / FAILED / NOT_IMPLEMENTED per requirement.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include <CLI/CLI.hpp>

#include "report.h"
#include "requirement.h"
#include "runner.h"

namespace cr = conformance::runner;

int main(int argc, char** argv) {
  CLI::App app{"Runs the durable-execution conformance requirements against a durafn server"};
  cr::RunnerOptions options;
  options.function_binary = DURAFN_CONFORMANCE_FUNCTION;
  std::string requirements = DURAFN_DEFAULT_REQUIREMENTS;
  if (const char* env = std::getenv("DURAFN_CONFORMANCE_REQUIREMENTS"); env && *env) {
    requirements = env;
  }
  std::string time = "auto", junit, only, language = "cpp", prefix;
  options.js_dir = DURAFN_CONFORMANCE_JS_DIR;
  int jobs = 8, timeout = 120;
  bool verbose = false;
  app.add_option("--requirements", requirements,
                 "Folder of requirement files (*.yaml, one subfolder per suite); also "
                 "$DURAFN_CONFORMANCE_REQUIREMENTS")
      ->capture_default_str();
  app.add_option("--endpoint", options.endpoint, "durafn server (http://HOST:PORT)")
      ->envname("DURAFN_ENDPOINT")
      ->capture_default_str();
  app.add_option("--function-binary", options.function_binary,
                 "The conformance function (deployed once per registered handler)")
      ->capture_default_str();
  app.add_option("--language", language,
                 "cpp: the C++ conformance function; js: the JavaScript handlers "
                 "(conformance/handlers/js) as nodejs20.x functions")
      ->check(CLI::IsMember({"cpp", "js"}))
      ->capture_default_str();
  app.add_option("--js-handlers", options.js_dir,
                 "--language js: the prepared handler folder (scripts/conformance-js.sh "
                 "BUILD_DIR --prepare-only)")
      ->capture_default_str();
  app.add_option("--function-prefix", prefix,
                 "Deployed function names are PREFIX + id (default: conformance- for cpp, "
                 "conformance-js- for js)");
  app.add_option("--time", time,
                 "auto: skip time for requirements longer than --real-time-max (except those "
                 "with callback actions); real; skip")
      ->check(CLI::IsMember({"auto", "real", "skip"}))
      ->capture_default_str();
  app.add_option("--real-time-max", options.real_time_max_seconds,
                 "Longest requirement (seconds, as its durations add up) run in real time")
      ->capture_default_str();
  app.add_option("--timeout", timeout, "Longest wait for one execution to end (seconds)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--jobs", jobs, "Requirements run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--only", only, "Run only requirement ids matching this regex (e.g. '^(1|2)-')");
  app.add_flag("--verbose", verbose,
               "Print the execution and history of each FAILED requirement to stderr");
  app.add_option("--junit", junit, "Also write the results as JUnit XML to this file");
  CLI11_PARSE(app, argc, argv);
  options.time = time == "real"   ? cr::TimeChoice::kReal
                 : time == "skip" ? cr::TimeChoice::kSkip
                                  : cr::TimeChoice::kAuto;
  options.timeout = std::chrono::seconds(timeout);
  options.language = language == "js" ? cr::Language::kJs : cr::Language::kCpp;
  options.function_prefix =
      !prefix.empty() ? prefix : (language == "js" ? "conformance-js-" : "conformance-");

  std::vector<cr::Requirement> all;
  cr::Handlers handlers;
  try {
    all = cr::LoadRequirements(requirements);
    if (all.empty()) throw std::runtime_error("no requirement files (*.yaml) in " + requirements);
    if (!only.empty()) {
      std::regex re(only);
      std::vector<cr::Requirement> kept;
      for (auto& r : all)
        if (std::regex_search(r.id, re)) kept.push_back(std::move(r));
      all = std::move(kept);
      if (all.empty()) throw std::runtime_error("--only '" + only + "' matches no requirement");
    }
    handlers = options.language == cr::Language::kJs ? cr::ListJsHandlers(options.js_dir)
                                                     : cr::ListHandlers(options.function_binary);
    std::cerr << "deploying " << handlers.durable.size() + handlers.plain.size() << " handlers to "
              << options.endpoint << "\n";
    auto began = std::chrono::steady_clock::now();
    cr::DeployHandlers(options, handlers);
    std::cerr << "deployed in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count()
              << " s\n";
  } catch (const std::exception& e) {
    std::cerr << "durafn-conformance: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "running " << all.size() << " requirements from " << requirements << " (" << jobs
            << " at once)\n";

  const auto run_began = std::chrono::steady_clock::now();
  std::vector<cr::Outcome> outcomes(all.size());
  std::atomic<std::size_t> next{0};
  std::mutex progress_mu;
  std::vector<std::thread> workers;
  for (int w = 0; w < jobs; ++w) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < all.size(); i = next++) {
        outcomes[i] = cr::RunRequirement(options, handlers, all[i]);
        std::lock_guard lock(progress_mu);
        std::cerr << "  " << outcomes[i].id << " " << cr::VerdictName(outcomes[i].verdict) << "\n";
      }
    });
  }
  for (auto& t : workers)
    t.join();
  std::cerr << "ran in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - run_began).count()
            << " s\n";

  if (verbose) {
    for (const auto& o : outcomes) {
      if (o.verdict != cr::Verdict::kFailed || o.actual.empty()) continue;
      std::cerr << "\n== " << o.id << " (" << o.execution_arn << "): " << o.detail << "\n"
                << o.actual << "\n";
    }
  }
  cr::PrintReport(outcomes, std::cout);
  if (!junit.empty()) {
    std::ofstream out(junit);
    cr::WriteJUnit(outcomes, out);
    if (!out) {
      std::cerr << "durafn-conformance: cannot write " << junit << "\n";
      return 2;
    }
  }
  for (const auto& o : outcomes)
    if (o.verdict == cr::Verdict::kFailed) return 1;
  return 0;
}
