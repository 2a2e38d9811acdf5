#include "api/responder.h"

#include <cassert>

#include "api/responses.h"

namespace durafn::api {

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    SendMissingResponse();
    sink_ = std::move(other.sink_);
  }
  return *this;
}

Responder::~Responder() {
  SendMissingResponse();
}

void Responder::Send(Response response) {
  assert(sink_ && "Send() called twice, or on an empty or moved-from Responder");
  assert(response.status >= 100 && response.status <= 599);
  if (!sink_) return;
  // Release our reference before delivering: the sink may be the last owner of the
  // connection and must not be destroyed while we still point at it.
  auto sink = std::move(sink_);
  sink->Deliver(std::move(response));
}

void Responder::SendMissingResponse() {
  if (!sink_) return;
  Send(ErrorResponse(
      {protocol::ErrorCode::kService, "The request handler finished without a response"}));
}

}  // namespace durafn::api
