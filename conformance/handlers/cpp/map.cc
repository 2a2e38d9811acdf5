// The map suite (9-x): one handler per requirement. Most process items one at a time
// (max_concurrency 1) so the history is deterministic.
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "durafn/durafn.h"
#include "registry.h"

namespace {

using durafn::BatchResult;
using durafn::DurableContext;
using durafn::MapConfig;
using durafn::StepContext;
using nlohmann::json;

MapConfig Sequential() {
  MapConfig c;
  c.max_concurrency = 1;
  return c;
}

std::vector<json> Items(const json& event) {
  std::vector<json> items;
  if (event.is_array()) {
    for (const auto& i : event)
      items.push_back(i);
  }
  return items;
}

json Results(const BatchResult& r) {
  return json(r.results());
}

std::string Upper(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Returns the item upper-cased, directly.
json UpperItem(DurableContext&, const json& item, int) {
  return Upper(item.get<std::string>());
}

// Returns the item, directly.
json Identity(DurableContext&, const json& item, int) {
  return item;
}

// Fails the item.
json FailItem(DurableContext&, const json& item, int) {
  throw durafn::Error("ItemError", "item " + item.dump() + " failed");
}

// {completionReason, status, successCount, failureCount, totalCount}.
json Projection(const BatchResult& r) {
  return {{"completionReason", r.completion_reason_string()},
          {"status", r.status()},
          {"successCount", r.success_count()},
          {"failureCount", r.failure_count()},
          {"totalCount", r.total_count()}};
}

}  // namespace

// 9.1: one step per item.
CONFORMANCE_DURABLE("9-1", [](const json& event, DurableContext& ctx) -> json {
  return Results(ctx.map(
      "map", Items(event),
      [](DurableContext& c, const json& item, int) {
        return c.step_json(
            {}, [&](StepContext&) -> json { return "Hello, " + item.get<std::string>() + "!"; });
      },
      Sequential()));
});

// 9.2: no operation name; items doubled directly.
CONFORMANCE_DURABLE("9-2", [](const json& event, DurableContext& ctx) -> json {
  return Results(ctx.map(
      {}, Items(event),
      [](DurableContext&, const json& item, int) -> json { return item.get<int>() * 2; },
      Sequential()));
});

// 9.3: item + index.
CONFORMANCE_DURABLE("9-3", [](const json& event, DurableContext& ctx) -> json {
  return Results(ctx.map(
      "indexed", Items(event),
      [](DurableContext&, const json& item, int index) -> json { return item.get<int>() + index; },
      Sequential()));
});

// 9.4: no items.
CONFORMANCE_DURABLE("9-4", [](const json& event, DurableContext& ctx) -> json {
  return Results(ctx.map("empty", Items(event), Identity));
});

// 9.6: fail fast with tolerated_failure_count 0, then throw_if_error() fails the execution.
CONFORMANCE_DURABLE("9-6", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 0;
  BatchResult r = ctx.map(
      "throwing", {"i0", "i1"},
      [](DurableContext& c, const json& item, int index) -> json {
        if (index == 0) return FailItem(c, item, index);
        return item;
      },
      config);
  r.throw_if_error();
  return Results(r);
});

// 9.7: min_successful 2 stops after two successes.
CONFORMANCE_DURABLE("9-7", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.completion_config.min_successful = 2;
  BatchResult r = ctx.map(
      "min-successful", {"i0", "i1", "i2", "i3"},
      [](DurableContext&, const json&, int) -> json { return "done"; }, config);
  return {{"completionReason", r.completion_reason_string()},
          {"successCount", r.success_count()},
          {"totalCount", r.total_count()}};
});

// 9.8: one failure tolerated; every item runs.
CONFORMANCE_DURABLE("9-8", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 1;
  return Projection(ctx.map(
      "tolerated", {"i0", "i1", "i2"},
      [](DurableContext& c, const json& item, int index) -> json {
        if (index == 1) return FailItem(c, item, index);
        return item;
      },
      config));
});

// 9.9: one failure tolerated; the second stops the batch.
CONFORMANCE_DURABLE("9-9", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 1;
  json p = Projection(ctx.map("tolerated-exceeded", {"i0", "i1", "i2"}, FailItem, config));
  p.erase("status");
  return p;
});

// 9.11: two at a time; results stay in item order.
CONFORMANCE_DURABLE("9-11", [](const json&, DurableContext& ctx) -> json {
  MapConfig config;
  config.max_concurrency = 2;
  return Results(ctx.map(
      "concurrent", {"i0", "i1", "i2"},
      [](DurableContext&, const json&, int index) -> json { return "r" + std::to_string(index); },
      config));
});

// 9.12: FLAT nesting: the items' steps are direct children of the Map context.
CONFORMANCE_DURABLE("9-12", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.nesting = durafn::Nesting::kFlat;
  return Results(ctx.map(
      "flat", {"fa", "fb"},
      [](DurableContext& c, const json& item, int) {
        return c.step_json({}, [&](StepContext&) { return item; });
      },
      config));
});

// 9.13: iterations named "item-<item>".
CONFORMANCE_DURABLE("9-13", [](const json& event, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.item_namer = [](const json& item, int) { return "item-" + item.dump(); };
  return Results(ctx.map(
      "named-items", Items(event),
      [](DurableContext&, const json& item, int) -> json { return item.get<int>() * 10; }, config));
});

// 9.14: each iteration's result goes through a custom serdes ("wrapped:<value>").
CONFORMANCE_DURABLE("9-14", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.item_serdes = durafn::Serdes{
      [](const json& v) -> std::optional<std::string> { return "wrapped:" + v.get<std::string>(); },
      [](const std::optional<std::string>& text) -> json {
        const std::string prefix = "wrapped:";
        if (!text || text->rfind(prefix, 0) != 0) {
          throw durafn::Error("SerdesError", "not a wrapped value");
        }
        return text->substr(prefix.size());
      },
  };
  return Results(ctx.map("serdes", {"x", "y"}, UpperItem, config));
});

// 9.16: four ~70 KB results: the Map context is checkpointed with ReplayChildren.
CONFORMANCE_DURABLE("9-16", [](const json&, DurableContext& ctx) -> json {
  BatchResult r = ctx.map(
      "large", {0, 1, 2, 3},
      [](DurableContext&, const json& item, int) -> json {
        return std::string(70 * 1024, static_cast<char>('a' + item.get<int>()));
      },
      Sequential());
  return {{"successCount", r.success_count()}, {"totalCount", r.total_count()}};
});

// 9.17: a wait after a successful map; the replay skips the map.
CONFORMANCE_DURABLE("9-17", [](const json&, DurableContext& ctx) -> json {
  BatchResult r = ctx.map("then-wait", {"a", "b"}, UpperItem, Sequential());
  ctx.wait(durafn::seconds(1));
  return Results(r);
});

// 9.18: a wait after a map with a tolerated failure; the replay skips the map.
CONFORMANCE_DURABLE("9-18", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 1;
  BatchResult r = ctx.map(
      "fail-then-wait", {"ok", "fail"},
      [](DurableContext& c, const json& item, int index) -> json {
        if (item == "fail") return FailItem(c, item, index);
        return item;
      },
      config);
  ctx.wait(durafn::seconds(1));
  return Projection(r);
});

// 9.19: the whole batch result goes through a custom serdes ("OPSERDE:<results, comma-joined>").
CONFORMANCE_DURABLE("9-19", [](const json&, DurableContext& ctx) -> json {
  MapConfig config = Sequential();
  config.serdes = durafn::Serdes{
      [](const json& batch) -> std::optional<std::string> {
        std::string out = "OPSERDE:";
        bool first = true;
        for (const auto& r : BatchResult::from_json(batch).results()) {
          if (!first) out += ",";
          out += r.get<std::string>();
          first = false;
        }
        return out;
      },
      [](const std::optional<std::string>& text) -> json {
        const std::string prefix = "OPSERDE:";
        if (!text || text->rfind(prefix, 0) != 0) {
          throw durafn::Error("SerdesError", "not an OPSERDE value");
        }
        BatchResult r;
        std::string rest = text->substr(prefix.size());
        int index = 0;
        for (std::size_t start = 0; !rest.empty() && start <= rest.size(); ++index) {
          std::size_t comma = rest.find(',', start);
          if (comma == std::string::npos) comma = rest.size();
          r.all.push_back(durafn::BatchItem{index, durafn::BatchItemStatus::kSucceeded,
                                            rest.substr(start, comma - start), std::nullopt});
          start = comma + 1;
        }
        return r.to_json();
      },
  };
  return Results(ctx.map("op-serde", {"x", "y"}, UpperItem, config));
});
