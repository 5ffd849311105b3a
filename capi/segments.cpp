// C API: segmentation (rules, saved segments, refresh, membership iterators).
#include <nlohmann/json.hpp>

#include "crmkit/segment.hpp"
#include "handle.hpp"
#include "pages.hpp"

using crmkit::capi::call;
using crmkit::capi::need;
using crmkit::capi::current_field;
using crmkit::Membership;
using nlohmann::json;

struct crmkit_segment_iter {
  crmkit::capi::Rows<crmkit::Membership> rows;
};

namespace {

constexpr std::size_t kMaxRuleArg = 256 * 1024;

json segment_json(const crmkit::Segment& s) {
  json j{{"id", s.id},
         {"name", s.name},
         {"kind", crmkit::to_string(s.kind)},
         {"description", s.description},
         {"rule_version", s.rule_version},
         {"rule", s.rule.empty() ? json() : json::parse(s.rule)},
         {"strict_nulls", s.strict_nulls},
         {"refreshed_at", s.refreshed_at ? json(*s.refreshed_at) : json()},
         {"member_count", s.member_count}};
  return j;
}

crmkit::RuleOptions options(int strict_nulls) {
  if (strict_nulls != 0 && strict_nulls != 1)
    throw crmkit::Error(crmkit::Errc::invalid_argument, "strict_nulls must be 0 or 1");
  crmkit::RuleOptions o;
  o.strict_nulls = strict_nulls == 1;
  return o;
}

crmkit::Segments segments_of(crmkit_db* db) { return crmkit::Segments(db->session->store); }

// The shape of the three constructors: `stays` reads the rows under the guard.
template <class Stays>
int new_iter(crmkit_segment_iter** out, crmkit_db* db, Stays&& stays) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    need(out, "out");
    auto it = std::make_unique<crmkit_segment_iter>();
    it->rows.session = db->session;
    it->rows.rows = stays(segments_of(db));
    *out = it.release();
    return CRMKIT_OK;
  });
}

// One customer into or out of a static segment: `change` is Segments::add_customers or
// Segments::remove_customers; *out_changed says whether the membership changed.
using MembershipChange = std::int64_t (crmkit::Segments::*)(const std::string&, const std::vector<std::int64_t>&,
                                                           crmkit::Instant);
int change_membership(int* out_changed, crmkit_db* db, const char* name, int64_t customer_id, int64_t at,
                      MembershipChange change) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    crmkit::Segments segments = segments_of(db);
    auto n = (segments.*change)(crmkit::capi::text_arg(name, "name", 200), {customer_id}, at);
    if (out_changed) *out_changed = n > 0;
    return CRMKIT_OK;
  });
}

}  // namespace

extern "C" {

int crmkit_segment_count(int64_t* out_count, crmkit_db* db, const char* rule_json, int64_t as_of,
                         int strict_nulls) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    need(out_count, "out_count");
    *out_count = segments_of(db).count(crmkit::capi::text_arg(rule_json, "rule_json", kMaxRuleArg), as_of,
                                       options(strict_nulls));
    return CRMKIT_OK;
  });
}

int crmkit_segment_explain_json(char** out_json, crmkit_db* db, const char* rule_json, int64_t as_of,
                                int strict_nulls) {
  return crmkit::capi::json_out(out_json, db, "out_json", [&] {
    auto e = segments_of(db).explain(crmkit::capi::text_arg(rule_json, "rule_json", kMaxRuleArg), as_of,
                                     options(strict_nulls));
    json params = json::array();
    for (const auto& p : e.params) {
      if (p.type == crmkit::SqlParam::Type::integer) params.push_back(p.integer);
      else if (p.type == crmkit::SqlParam::Type::real) params.push_back(p.real);
      else params.push_back(p.text);
    }
    return json{{"sql", e.sql}, {"params", params}, {"rule", json::parse(e.canonical_rule)}}.dump();
  });
}

int crmkit_segment_rule_from_text(char** out_json, const char* text) {
  return call(nullptr, [&] {
    need(out_json, "out_json");
    *out_json = nullptr;
    *out_json = crmkit::capi::owned_string(crmkit::rule_from_text(crmkit::capi::text_arg(text, "text", kMaxRuleArg)));
    return CRMKIT_OK;
  });
}

int crmkit_segment_rule_to_text(char** out_text, const char* rule_json) {
  return call(nullptr, [&] {
    need(out_text, "out_text");
    *out_text = nullptr;
    *out_text =
        crmkit::capi::owned_string(crmkit::rule_to_text(crmkit::capi::text_arg(rule_json, "rule_json", kMaxRuleArg)));
    return CRMKIT_OK;
  });
}

int crmkit_segment_create(int64_t* out_id, crmkit_db* db, const char* name, const char* kind, const char* rule_json,
                          int strict_nulls) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    auto k = crmkit::parse_segment_kind(crmkit::capi::text_arg(kind, "kind", 20), "kind");
    std::string rule = rule_json ? crmkit::capi::text_arg(rule_json, "rule_json", kMaxRuleArg) : std::string();
    auto s = segments_of(db).create(crmkit::capi::text_arg(name, "name", 200), k, rule, {}, options(strict_nulls));
    if (out_id) *out_id = s.id;
    return CRMKIT_OK;
  });
}

int crmkit_segment_update(int* out_version, crmkit_db* db, const char* name, const char* rule_json,
                          int strict_nulls) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    auto s = segments_of(db).update(crmkit::capi::text_arg(name, "name", 200),
                                    crmkit::capi::text_arg(rule_json, "rule_json", kMaxRuleArg), options(strict_nulls));
    if (out_version) *out_version = s.rule_version;
    return CRMKIT_OK;
  });
}

int crmkit_segment_delete(crmkit_db* db, const char* name) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    segments_of(db).remove(crmkit::capi::text_arg(name, "name", 200));
    return CRMKIT_OK;
  });
}

int crmkit_segment_get_json(char** out_json, crmkit_db* db, const char* name) {
  return crmkit::capi::json_out(out_json, db, "out_json", [&] {
    return segment_json(segments_of(db).get(crmkit::capi::text_arg(name, "name", 200))).dump();
  });
}

int crmkit_segment_list_json(char** out_json, crmkit_db* db) {
  return crmkit::capi::json_out(out_json, db, "out_json", [&] {
    json all = json::array();
    for (const auto& s : segments_of(db).list()) all.push_back(segment_json(s));
    return all.dump();
  });
}

int crmkit_segment_versions_json(char** out_json, crmkit_db* db, const char* name) {
  return crmkit::capi::json_out(out_json, db, "out_json", [&] {
    json all = json::array();
    for (const auto& v : segments_of(db).versions(crmkit::capi::text_arg(name, "name", 200)))
      all.push_back({{"version", v.version}, {"rule", json::parse(v.rule)}, {"strict_nulls", v.strict_nulls}});
    return all.dump();
  });
}

int crmkit_segment_refresh(int64_t* out_entered, int64_t* out_left, crmkit_db* db, const char* name,
                           int64_t as_of) {
  CRMKIT_NEED_DB(db);
  return call(crmkit::capi::session_of(db), [&] {
    auto r = segments_of(db).refresh(crmkit::capi::text_arg(name, "name", 200), as_of);
    if (out_entered) *out_entered = r.entered;
    if (out_left) *out_left = r.left;
    return CRMKIT_OK;
  });
}

int crmkit_segment_add_customer(int* out_changed, crmkit_db* db, const char* name, int64_t customer_id,
                                int64_t at) {
  return change_membership(out_changed, db, name, customer_id, at, &crmkit::Segments::add_customers);
}

int crmkit_segment_remove_customer(int* out_changed, crmkit_db* db, const char* name, int64_t customer_id,
                                   int64_t at) {
  return change_membership(out_changed, db, name, customer_id, at, &crmkit::Segments::remove_customers);
}

int crmkit_segment_members_iter_new(crmkit_segment_iter** out, crmkit_db* db, const char* name) {
  return new_iter(out, db, [&](crmkit::Segments segments) {
    return segments.members(crmkit::capi::text_arg(name, "name", 200));
  });
}

int crmkit_segment_for_customer_iter_new(crmkit_segment_iter** out, crmkit_db* db, int64_t customer_id) {
  return new_iter(out, db, [&](crmkit::Segments segments) { return segments.segments_of(customer_id); });
}

int crmkit_segment_history_iter_new(crmkit_segment_iter** out, crmkit_db* db, const char* name, int64_t from,
                                    int64_t to) {
  return new_iter(out, db, [&](crmkit::Segments segments) {
    return segments.history(crmkit::capi::text_arg(name, "name", 200), from, to);
  });
}

int crmkit_segment_iter_next(crmkit_segment_iter* it) {
  return crmkit::capi::next_row(it);
}

int64_t crmkit_segment_iter_segment_id(const crmkit_segment_iter* it) {
  return current_field<int64_t>(it, [](const Membership& m) { return m.segment_id; });
}
const char* crmkit_segment_iter_segment_name(const crmkit_segment_iter* it) {
  return current_field<const char*>(it, [](const Membership& m) { return m.segment_name.c_str(); });
}
int64_t crmkit_segment_iter_customer_id(const crmkit_segment_iter* it) {
  return current_field<int64_t>(it, [](const Membership& m) { return m.customer_id; });
}
int64_t crmkit_segment_iter_entered_at(const crmkit_segment_iter* it) {
  return current_field<int64_t>(it, [](const Membership& m) { return m.entered_at; });
}
int64_t crmkit_segment_iter_left_at(const crmkit_segment_iter* it) {
  return current_field<int64_t>(it, [](const Membership& m) { return m.left_at.value_or(0); });
}
int crmkit_segment_iter_is_current(const crmkit_segment_iter* it) {
  return current_field<int>(it, [](const Membership& m) { return m.left_at ? 0 : 1; });
}
int crmkit_segment_iter_rule_version(const crmkit_segment_iter* it) {
  return current_field<int>(it, [](const Membership& m) { return m.rule_version.value_or(0); });
}
void crmkit_segment_iter_free(crmkit_segment_iter* it) { delete it; }

}  // extern "C"
