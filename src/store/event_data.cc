#include "store/event_data.h"

#include <optional>
#include <variant>

namespace durafn::store {
namespace {

void OmitPayload(protocol::EventPayload& p) {
  p.payload.reset();
}
void OmitPayload(protocol::EventError& e) {
  e.payload.reset();
}
template <class T>
void OmitPayload(std::optional<T>& p) {
  if (p) OmitPayload(*p);
}

// Every details type names its data members input, result or error (event.h), so one
// template covers all of them, including types added later.
template <class D>
void OmitDetailsData(D& d) {
  if constexpr (requires { d.input; }) OmitPayload(d.input);
  if constexpr (requires { d.result; }) OmitPayload(d.result);
  if constexpr (requires { d.error; }) OmitPayload(d.error);
}

}  // namespace

void OmitEventData(protocol::Event& event) {
  std::visit([](auto& d) { OmitDetailsData(d); }, event.details);
}

}  // namespace durafn::store
