#include "identity/customer_references.hpp"

#include "store/connection.hpp"

namespace crmkit::detail {

const std::vector<CustomerReference>& customer_references() {
  using M = OnMerge;
  using E = OnErasure;
  static const std::vector<CustomerReference> list = {
      {"interactions", "id", M::repoint, "", "", E::redact, "subject,notes,attributes"},
      {"customer_tags", "customer_id,tag", M::union_by_key, "tag", "", E::remove, ""},
      {"contact_points", "id", M::union_by_key, "type,match_key", "", E::remove, ""},
      {"consent_events", "id", M::repoint, "", "", E::redact, "evidence_ip,evidence_user_agent"},
      {"customer_figures", "customer_id", M::recompute, "", "", E::keep, ""},
      {"customer_money", "customer_id,currency", M::recompute, "", "", E::keep, ""},
      {"customer_rfm", "customer_id", M::drop, "", "", E::keep, ""},
      {"customer_score_values", "customer_id", M::drop, "", "", E::keep, ""},
      {"segment_membership", "id", M::union_by_key, "segment_id", "left_at IS NULL", E::keep, ""},
      {"survey_responses", "id", M::repoint_append_only, "", "", E::redact, "comment"},
      // Members before the tier history whose foreign key names (programme, customer).
      {"points_members", "programme_id,customer_id", M::union_by_key, "programme_id", "", E::keep, ""},
      {"points_tier_history", "id", M::repoint, "", "", E::keep, ""},
      {"points_ledger", "id", M::repoint_append_only, "", "", E::redact, "reason"},
      {"points_lots", "entry_id", M::repoint, "", "", E::keep, ""},
      {"points_debts", "entry_id", M::repoint, "", "", E::keep, ""},
      // A merge's record holds the absorbed rows as they were: the same person's data.
      {"merge_records", "id", M::repoint, "", "", E::remove, ""},
  };
  return list;
}

const CustomerReference* customer_reference(std::string_view table) {
  for (const auto& r : customer_references())
    if (table == r.table) return &r;
  return nullptr;
}

std::vector<std::string> tables_with_customer_id(Connection& conn) {
  const char* sql =
      conn.backend() == Backend::postgres
          ? "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t ON "
            "t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
            "AND c.column_name = 'customer_id' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name"
          : "SELECT m.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND "
            "p.name = 'customer_id' ORDER BY m.name";
  auto st = conn.statement(sql);
  std::vector<std::string> out;
  while (st->executeStep()) out.push_back(st->getColumn(0).getString());
  return out;
}

}  // namespace crmkit::detail
