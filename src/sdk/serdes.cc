#include "durafn/serdes.h"

#include "durafn/errors.h"

namespace durafn {

const Serdes& json_serdes() {
  static const Serdes kSerdes{[](const nlohmann::json& v) -> std::optional<std::string> {
                                if (v.is_discarded()) return std::nullopt;
                                return v.dump();
                              },
                              [](const std::optional<std::string>& text) -> nlohmann::json {
                                if (!text || text->empty()) return nullptr;
                                return nlohmann::json::parse(*text);
                              }};
  return kSerdes;
}

const Serdes& passthrough_serdes() {
  static const Serdes kSerdes{[](const nlohmann::json& v) -> std::optional<std::string> {
                                if (v.is_discarded() || v.is_null()) return std::nullopt;
                                if (v.is_string()) return v.get<std::string>();
                                return v.dump();
                              },
                              [](const std::optional<std::string>& text) -> nlohmann::json {
                                if (!text) return nullptr;
                                return *text;
                              }};
  return kSerdes;
}

}  // namespace durafn
