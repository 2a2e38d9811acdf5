// Request ids for X-Amzn-RequestId: UUIDv4-formatted, cheap enough to make one per request.
#pragma once

#include <string>

namespace durafn::api {

// A random id like "3f2b8c1e-4d5a-4b6c-9d7e-0a1b2c3d4e5f" (version 4, RFC 4122 variant).
// Not cryptographically strong: ids only correlate logs with responses, they grant nothing.
// Thread-safe; each thread draws from its own engine, so there is no contention.
std::string NewRequestId();

}  // namespace durafn::api
