// Identity and privacy: contact points by type, customers with several emails or phones,
// consent states per channel and purpose at as_of, the suppression list's size and the audit
// trail's. Each figure is one aggregate read (the consent states one pass over the ledger).
#include <map>

#include "base/enums.hpp"
#include "crmkit/consent.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_identity(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  ReportIdentity& id = r.identity;
  {
    // Per customer and type first, so one pass gives points, holders and several-holders.
    auto& st = c.prepare(
        "SELECT type, CAST(sum(n) AS BIGINT), count(*), CAST(sum(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS BIGINT) "
        "FROM (SELECT customer_id, type, count(*) AS n FROM contact_points WHERE created_at < ? "
        "GROUP BY customer_id, type) AS per_customer GROUP BY type");
    detail::StatementReset reset(st);
    detail::bind_all(st, r.as_of);
    std::map<std::string, ReportIdentity::ContactTypeCount> by_type;
    while (st.executeStep())
      by_type[st.getColumn(0).getString()] = {st.getColumn(0).getString(), st.getColumn(1).getInt64(),
                                              st.getColumn(2).getInt64(), st.getColumn(3).getInt64()};
    for (const auto& t : detail::kContactTypeNames) {  // every type, in enumeration order, zeros included
      auto it = by_type.find(t.name);
      id.contact_points.push_back(it != by_type.end() ? it->second : ReportIdentity::ContactTypeCount{t.name, 0, 0, 0});
    }
  }
  for (const auto& s : Consent(store).state_counts(r.as_of))
    id.consent.push_back({to_string(s.channel), s.purpose, to_string(s.state), s.customers});
  {
    auto& st = c.prepare("SELECT count(*) FROM suppressions WHERE at < ?");
    detail::StatementReset reset(st);
    detail::bind_all(st, r.as_of);
    st.executeStep();
    id.suppressions = st.getColumn(0).getInt64();
  }
  {
    auto& st = c.prepare(
        "SELECT count(*), count(hash), (SELECT count(*) FROM store_settings WHERE key = 'audit_chain' AND value = "
        "'on') FROM audit_entries");
    detail::StatementReset reset(st);
    st.executeStep();
    id.audit_entries = st.getColumn(0).getInt64();
    id.audit_chained_entries = st.getColumn(1).getInt64();
    id.audit_chained = st.getColumn(2).getInt64() > 0;
  }
}

nlohmann::ordered_json identity_json(const Report& r) {
  const ReportIdentity& id = r.identity;
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const auto& t : id.contact_points)
    points.push_back({{"type", t.type},
                      {"points", t.points},
                      {"customers", t.customers},
                      {"customers_with_several", t.customers_with_several}});
  nlohmann::ordered_json consent = nlohmann::ordered_json::array();
  for (const auto& s : id.consent)
    consent.push_back({{"channel", s.channel}, {"purpose", s.purpose}, {"state", s.state}, {"customers", s.customers}});
  return {{"contact_points", points},
          {"consent", consent},
          {"suppressions", id.suppressions},
          {"audit", {{"entries", id.audit_entries},
                     {"chained", id.audit_chained},
                     {"chained_entries", id.audit_chained_entries}}}};
}

}  // namespace crmkit::reports
