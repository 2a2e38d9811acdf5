// How a handler answers: a move-only Responder that accepts exactly one Response, now or
// later, from any thread. Answering later matters because the store's group commit, the
// Runtime API's /next long-poll and a synchronous Invoke (up to 15 minutes) complete on
// threads other than the one that received the request.
#pragma once

#include <memory>

#include "api/http_message.h"

namespace durafn::api {

// The receiving end of one request's response; implemented by the server's connection.
// Deliver() is called at most once and must be callable from any thread.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void Deliver(Response response) = 0;
};

class Responder {
 public:
  // An empty responder: Send() on it is a programming error.
  Responder() = default;
  explicit Responder(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {}

  Responder(Responder&& other) noexcept = default;
  // Assigning over a responder that has not sent answers its request with a 500 first.
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // A responder destroyed without sending answers 500 ServiceException, so a forgotten or
  // failed code path cannot leave a client waiting forever.
  ~Responder();

  // Sends the response. Call exactly once (asserted); thread-safe with respect to the
  // connection. After the server stopped or the client went away, the response is dropped.
  void Send(Response response);
  void operator()(Response response) { Send(std::move(response)); }

  // True until Send() was called (or the responder was moved from).
  bool pending() const { return sink_ != nullptr; }

 private:
  void SendMissingResponse();

  std::shared_ptr<ResponseSink> sink_;
};

}  // namespace durafn::api
