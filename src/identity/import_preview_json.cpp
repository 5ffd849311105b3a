// The JSON forms of an import preview.
#include <nlohmann/json.hpp>

#include "crmkit/import_preview.hpp"

namespace crmkit {

namespace {

using nlohmann::json;

json row_json(const ImportPreviewRow& r) {
  json candidates = json::array();
  for (const auto& c : r.candidates) candidates.push_back(json::parse(to_json(c)));
  auto optional = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  auto text = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return {{"line", r.line},
          {"action", to_string(r.action)},
          {"customer_id", optional(r.customer_id)},
          {"earlier_line", optional(r.earlier_line)},
          {"candidates", candidates},
          {"same_contact_lines", r.same_contact_lines},
          {"error_code", text(r.error_code)},
          {"error", text(r.error)}};
}

json totals_json(const ImportPreviewTotals& t) {
  return {{"rows", t.rows},
          {"create", t.create},
          {"update", t.update},
          {"error", t.error},
          {"with_duplicates", t.with_duplicates},
          {"with_suspects", t.with_suspects},
          {"with_same_contact", t.with_same_contact}};
}

}  // namespace

std::string to_json(const ImportPreviewRow& row) { return row_json(row).dump(); }

std::string to_json(const ImportPreviewTotals& totals) { return totals_json(totals).dump(); }

std::string to_json(const ImportPreview& preview) {
  json rows = json::array();
  for (const auto& r : preview.rows) rows.push_back(row_json(r));
  return json{{"rows", rows}, {"totals", totals_json(preview.totals)}}.dump();
}

}  // namespace crmkit
