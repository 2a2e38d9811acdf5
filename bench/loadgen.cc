// The load generator as a command, for the peers' scripts (bench/peers/): the same closed
// loop workflow_bench drives durafn with (load_generator.h).
// Usage: loadgen --url http://127.0.0.1:PORT/PATH [--body TEXT] [--header K:V]...
//                [--concurrency C] [--count N] [--duration SECONDS] [--expect STATUS]
//                --group G --name NAME --system SYSTEM [--note TEXT] [--json FILE]
// `{i}` in the path or body is replaced by the request's number. Prints one line per run
// and writes two rows (latency with the note, throughput with the counts) to FILE.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_report.h"
#include "load_generator.h"

namespace {

std::string Expand(std::string text, long i) {
  for (auto at = text.find("{i}"); at != std::string::npos; at = text.find("{i}", at))
    text.replace(at, 3, std::to_string(i));
  return text;
}

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr, "loadgen: %s\n", why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, body, group = "load", name = "requests", system = "durafn", note, json_path;
  durafn::bench::LoadSpec spec;
  int expect = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--url")
      url = value();
    else if (a == "--body")
      body = value();
    else if (a == "--header") {
      std::string h = value();
      auto colon = h.find(':');
      if (colon == std::string::npos) Usage("--header wants K:V");
      spec.headers.Set(h.substr(0, colon), h.substr(colon + 1));
    } else if (a == "--concurrency")
      spec.concurrency = std::atoi(value().c_str());
    else if (a == "--count")
      spec.count = std::atol(value().c_str());
    else if (a == "--duration")
      spec.max_duration =
          std::chrono::milliseconds(static_cast<long>(std::atof(value().c_str()) * 1000));
    else if (a == "--expect")
      expect = std::atoi(value().c_str());
    else if (a == "--group")
      group = value();
    else if (a == "--name")
      name = value();
    else if (a == "--system")
      system = value();
    else if (a == "--note")
      note = value();
    else if (a == "--json")
      json_path = value();
    else
      Usage(("unknown argument " + a).c_str());
  }
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) Usage("--url must start with http://");
  auto slash = url.find('/', scheme.size());
  std::string hostport = url.substr(scheme.size(), slash - scheme.size());
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) Usage("--url needs a port");
  spec.host = hostport.substr(0, colon);
  spec.port = static_cast<uint16_t>(std::atoi(hostport.substr(colon + 1).c_str()));
  if (spec.concurrency < 1 || spec.count < 1) Usage("--concurrency and --count must be >= 1");
  spec.target = [path](long i) { return Expand(path, i); };
  spec.body = [body](long i) { return Expand(body, i); };
  spec.ok = [expect](const durafn::api::Response& r) { return r.status == expect; };

  auto r = durafn::bench::RunLoad(spec);
  std::printf("%s %s: %ld ok, %ld failed in %.1f s: %.1f/s, p50 %.2f ms, p99 %.2f ms\n",
              system.c_str(), name.c_str(), r.succeeded, r.failed, r.seconds, r.per_second(),
              durafn::bench::Percentile(r.latency_ms, 0.5),
              durafn::bench::Percentile(r.latency_ms, 0.99));
  if (r.failed > 0) std::fprintf(stderr, "loadgen: first failure: %s\n", r.first_error.c_str());
  char argv0[] = "loadgen";
  char flag[] = "--json";
  std::string path_copy = json_path;
  char* args[] = {argv0, flag, path_copy.data(), nullptr};
  durafn::bench::Report report("loadgen", json_path.empty() ? 1 : 3, args);
  report.SetSystem(system);
  report.Latency(group, name + " latency", r.latency_ms, "ms", note);
  report.Value(group, name + " throughput", r.per_second(), "/s", "higher",
               std::to_string(r.succeeded) + " ok, " + std::to_string(r.failed) + " failed");
  report.Write();
  return r.succeeded > 0 ? 0 : 1;
}
