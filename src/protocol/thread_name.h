// Names the calling thread, so that top, perf and gdb tell the server's threads apart.
#pragma once

#include <pthread.h>

#include <string>

namespace durafn {

// Linux keeps at most 15 characters; longer names are cut, never refused.
inline void SetThreadName(const std::string& name) {
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace durafn
