// Segment sizes: every saved segment with its current member count.
#include "crmkit/segment.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_segments(Store& store, Report& r) {
  for (const auto& s : Segments(store).list())
    r.segments.push_back({s.name, to_string(s.kind), s.rule_version, s.member_count, s.refreshed_at});
}

nlohmann::ordered_json segments_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& s : r.segments)
    a.push_back({{"name", s.name},
                 {"kind", s.kind},
                 {"rule_version", s.rule_version},
                 {"members", s.members},
                 {"refreshed_at", s.refreshed_at ? instant_text(*s.refreshed_at) : nlohmann::ordered_json()}});
  return a;
}

}  // namespace crmkit::reports
