// C API: loyalty points programmes. Converts and guards; the rules live in src/points/.
#include <memory>

#include "crmkit/points.hpp"
#include "handle.hpp"
#include "pages.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;
using crmkit::capi::session_of;

struct crmkit_points_ledger_iter {
  capi::Pages<LedgerEntry> rows;
  std::int64_t programme_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t after = 0;  // keyset cursor: the last entry id seen (new entries appear at the end)
};

namespace {

// The shape of every points movement (earn, redeem, adjust, expire, reversals): the optional
// *out_points and *out_replayed are cleared once the db is known, then set from the
// PointsResult that move(points) returns under the guard.
template <class Move>
int movement(int64_t* out_points, int* out_replayed, crmkit_db* db, Move&& move) {
  CRMKIT_NEED_DB(db);
  if (out_points) *out_points = 0;
  if (out_replayed) *out_replayed = 0;
  return call(session_of(db), [&] {
    Points points(db->session->store);
    const PointsResult r = move(points);
    if (out_points) *out_points = r.points;
    if (out_replayed) *out_replayed = r.replayed ? 1 : 0;
    return CRMKIT_OK;
  });
}

// capi::json_out with the programme service at hand.
template <class F>
int json_out(crmkit_db* db, char** out_json, F&& make) {
  return capi::json_out(out_json, db, "out_json", [&] {
    Points points(db->session->store);
    return make(points);
  });
}

}  // namespace

extern "C" {

int crmkit_points_programme_create(int64_t* out_id, crmkit_db* db, const char* spec_json) {
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = 0;
    auto spec = parse_programme_spec(capi::text_arg(spec_json, "spec_json", 1'000'000));
    *out_id = Points(db->session->store).create_programme(spec);
    return CRMKIT_OK;
  });
}

int crmkit_points_programme_find(int64_t* out_id, crmkit_db* db, const char* name) {
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = 0;
    *out_id = Points(db->session->store).programme_by_name(capi::text_arg(name, "name")).id;
    return CRMKIT_OK;
  });
}

int crmkit_points_programme_json(char** out_json, crmkit_db* db, int64_t programme_id) {
  return json_out(db, out_json, [&](Points& p) { return to_json(p.programme(programme_id)); });
}

int crmkit_points_programmes_json(char** out_json, crmkit_db* db) {
  return json_out(db, out_json, [&](Points& p) {
    std::string out = "[";
    for (const auto& prog : p.programmes()) out += (out.size() > 1 ? "," : "") + to_json(prog);
    return out + "]";
  });
}

int crmkit_points_enroll(crmkit_db* db, int64_t programme_id, int64_t customer_id, int64_t enrolled_at) {
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    Points(db->session->store).enroll(programme_id, customer_id, enrolled_at);
    return CRMKIT_OK;
  });
}

int crmkit_points_earn(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id,
                       int64_t purchase_id) {
  return movement(out_points, out_replayed, db,
                  [&](Points& p) { return p.earn_for_purchase(programme_id, purchase_id); });
}

int crmkit_points_reverse_purchase(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id,
                                   int64_t purchase_id, int64_t refunded_minor, const char* external_id,
                                   int64_t as_of) {
  return movement(out_points, out_replayed, db, [&](Points& p) {
    auto ext = capi::text_arg(external_id, "external_id");
    return p.reverse_purchase(programme_id, purchase_id, refunded_minor, ext, as_of);
  });
}

int crmkit_points_redeem(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id,
                         int64_t customer_id, int64_t points, const char* external_id, int64_t as_of,
                         int64_t order_id) {
  return movement(out_points, out_replayed, db, [&](Points& p) {
    auto ext = capi::text_arg(external_id, "external_id");
    if (order_id < 0) throw Error(Errc::invalid_argument, "order_id must be a purchase id or 0");
    std::optional<std::int64_t> order;
    if (order_id > 0) order = order_id;
    return p.redeem(programme_id, customer_id, points, ext, as_of, order);
  });
}

int crmkit_points_reverse_redemption(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id,
                                     const char* redemption_external_id, int64_t points, const char* external_id,
                                     int64_t as_of) {
  return movement(out_points, out_replayed, db, [&](Points& p) {
    auto red = capi::text_arg(redemption_external_id, "redemption_external_id");
    auto ext = capi::text_arg(external_id, "external_id");
    return p.reverse_redemption(programme_id, red, points, ext, as_of);
  });
}

int crmkit_points_adjust(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id,
                         int64_t customer_id, int64_t points, const char* reason, const char* external_id,
                         int64_t as_of) {
  return movement(out_points, out_replayed, db, [&](Points& p) {
    auto why = capi::text_arg(reason, "reason");
    auto ext = capi::text_arg(external_id, "external_id");
    return p.adjust(programme_id, customer_id, points, why, ext, as_of);
  });
}

int crmkit_points_expire(int64_t* out_points, int* out_replayed, crmkit_db* db, int64_t programme_id, int64_t as_of,
                         const char* external_id) {
  return movement(out_points, out_replayed, db, [&](Points& p) {
    auto ext = capi::optional_text(external_id, "external_id");
    if (ext && ext->empty()) throw Error(Errc::invalid_argument, "external_id is empty (pass NULL for the default)");
    return p.expire(programme_id, as_of, ext.value_or(""));
  });
}

int crmkit_points_review_tiers(char** out_json, crmkit_db* db, int64_t programme_id, int64_t as_of) {
  if (out_json) *out_json = nullptr;
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    auto r = Points(db->session->store).review_tiers(programme_id, as_of);
    if (out_json) *out_json = capi::owned_string(to_json(r));
    return CRMKIT_OK;
  });
}

int crmkit_points_balance(int64_t* out_balance, crmkit_db* db, int64_t programme_id, int64_t customer_id,
                          int64_t as_of) {
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    need(out_balance, "out_balance");
    *out_balance = 0;
    *out_balance = Points(db->session->store).balance(programme_id, customer_id, as_of).balance;
    return CRMKIT_OK;
  });
}

int crmkit_points_balance_json(char** out_json, crmkit_db* db, int64_t programme_id, int64_t customer_id,
                               int64_t as_of, int expiring_within_days) {
  return json_out(db, out_json, [&](Points& p) {
    return to_json(p.balance(programme_id, customer_id, as_of, expiring_within_days));
  });
}

int crmkit_points_ledger_json(char** out_json, crmkit_db* db, int64_t programme_id, int64_t customer_id,
                              int64_t after, int limit) {
  return json_out(db, out_json, [&](Points& p) { return to_json(p.ledger(programme_id, customer_id, after, limit)); });
}

int crmkit_points_ledger_iter_new(crmkit_points_ledger_iter** out, crmkit_db* db, int64_t programme_id,
                                  int64_t customer_id) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    need(out, "out");
    *out = nullptr;
    if (customer_id < 0) throw Error(Errc::invalid_argument, "customer_id must be >= 0 (0: every member)");
    Points(db->session->store).programme(programme_id);  // not_found now rather than at _next
    auto it = std::make_unique<crmkit_points_ledger_iter>();
    it->rows.session = db->session;
    it->programme_id = programme_id;
    it->customer_id = customer_id;
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_points_ledger_iter_next(crmkit_points_ledger_iter* it) {
  return capi::next_row(it, [&] {
    LedgerPage p = Points(it->rows.session->store).ledger(it->programme_id, it->customer_id, it->after, 500);
    it->rows.page = std::move(p.entries);
    it->rows.more = p.next_after != 0;
    it->after = p.next_after;
  });
}

int64_t crmkit_points_ledger_iter_id(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.id; });
}
int64_t crmkit_points_ledger_iter_customer_id(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.customer_id; });
}
const char* crmkit_points_ledger_iter_kind(const crmkit_points_ledger_iter* it) {
  return capi::current_field<const char*>(it, [](const LedgerEntry& e) { return to_string(e.kind); });
}
int64_t crmkit_points_ledger_iter_points(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.points; });
}
int64_t crmkit_points_ledger_iter_created_at(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.created_at; });
}
int64_t crmkit_points_ledger_iter_effective_at(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.effective_at; });
}
int crmkit_points_ledger_iter_has_expiry(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int>(it, [](const LedgerEntry& e) { return e.expires_at ? 1 : 0; });
}
int64_t crmkit_points_ledger_iter_expires_at(const crmkit_points_ledger_iter* it) {
  return capi::current_field<int64_t>(it, [](const LedgerEntry& e) { return e.expires_at.value_or(0); });
}
const char* crmkit_points_ledger_iter_external_id(const crmkit_points_ledger_iter* it) {
  return capi::current_field<const char*>(it, [](const LedgerEntry& e) -> const char* {
    return e.external_id.empty() ? nullptr : e.external_id.c_str();
  });
}
void crmkit_points_ledger_iter_free(crmkit_points_ledger_iter* it) { delete it; }

int crmkit_points_liability_json(char** out_json, crmkit_db* db, int64_t programme_id, int64_t as_of) {
  return json_out(db, out_json, [&](Points& p) { return to_json(p.liability(programme_id, as_of)); });
}

int crmkit_points_tier_mix_json(char** out_json, crmkit_db* db, int64_t programme_id) {
  return json_out(db, out_json, [&](Points& p) { return to_json(p.tier_mix(programme_id)); });
}

int crmkit_points_tier_history_json(char** out_json, crmkit_db* db, int64_t programme_id, int64_t customer_id) {
  return json_out(db, out_json, [&](Points& p) { return to_json(p.tier_history(programme_id, customer_id)); });
}

int crmkit_points_check(crmkit_db* db, int64_t programme_id) {
  CRMKIT_NEED_DB(db);
  return call(session_of(db), [&] {
    Points(db->session->store).check_invariants(programme_id);
    return CRMKIT_OK;
  });
}

}  // extern "C"
