#include "api/request_id.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <thread>

namespace durafn::api {
namespace {

std::mt19937_64& ThreadEngine() {
  // Seeded per thread from the OS, mixed with the thread id and the clock so that threads
  // never share a sequence even if random_device were deterministic.
  thread_local std::mt19937_64 engine([] {
    std::random_device rd;
    std::seed_seq seq{
        rd(),
        rd(),
        rd(),
        rd(),
        static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())),
        static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count())};
    return std::mt19937_64(seq);
  }());
  return engine;
}

}  // namespace

std::string NewRequestId() {
  static constexpr char kHex[] = "0123456789abcdef";
  auto& engine = ThreadEngine();
  std::uint64_t hi = engine();
  std::uint64_t lo = engine();
  hi = (hi & ~std::uint64_t{0xF000}) | 0x4000;                           // version 4
  lo = (lo & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);  // variant 10xx

  std::string id(36, '-');
  int pos = 0;
  auto put = [&](std::uint64_t bits, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;  // keep the dashes
      id[pos++] = kHex[(bits >> (i * 4)) & 0xF];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return id;
}

}  // namespace durafn::api
