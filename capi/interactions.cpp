// C API: interactions (records, batches, timeline iterator) and per-customer figures.
#include <cstring>
#include <limits>

#include "base/text.hpp"
#include "interactions/interaction_json.hpp"
#include "handle.hpp"
#include "pages.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_interaction {
  Interaction rec;
};

struct crmkit_batch {
  std::vector<Interaction> rows;
  BatchOptions options;
};

struct crmkit_batch_result {
  BatchResult result;
};

struct crmkit_interaction_iter {
  capi::Pages<Interaction> rows;
  std::int64_t customer_id = 0;
  TimelineFilter filter;
  std::optional<Instant> before_time;  // keyset cursor of the next page
  std::optional<std::int64_t> before_id;
};

namespace {

// The first page is small (hosts often read only the newest few); later pages are larger.
constexpr int kFirstPage = 64;
constexpr int kIterPage = 500;

const char* c_str(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

}  // namespace

extern "C" {

int crmkit_interaction_new(crmkit_interaction** out) { return capi::new_handle(out); }

void crmkit_interaction_free(crmkit_interaction* rec) { delete rec; }

int crmkit_interaction_set_customer_id(crmkit_interaction* rec, int64_t customer_id) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) { r.rec.customer_id = customer_id; });
}

int crmkit_interaction_set_external_id(crmkit_interaction* rec, const char* external_id) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.external_id = capi::optional_text(external_id, "external_id", detail::kMaxShortText);
  });
}

int crmkit_interaction_set_occurred_at(crmkit_interaction* rec, int64_t occurred_at) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) { r.rec.occurred_at = occurred_at; });
}

int crmkit_interaction_set_channel(crmkit_interaction* rec, const char* channel) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.channel = parse_channel(capi::text_arg(channel, "channel", 100));
  });
}

int crmkit_interaction_set_kind(crmkit_interaction* rec, const char* kind) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.kind = parse_interaction_kind(capi::text_arg(kind, "kind", 100));
  });
}

int crmkit_interaction_set_direction(crmkit_interaction* rec, const char* direction) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.direction = parse_direction(capi::text_arg(direction, "direction", 100));
  });
}

int crmkit_interaction_set_amount(crmkit_interaction* rec, int64_t minor, const char* currency) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.amount = Money{minor, currency_code(capi::text_arg(currency, "currency", 16))};
  });
}

int crmkit_interaction_clear_amount(crmkit_interaction* rec) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) { r.rec.amount.reset(); });
}

int crmkit_interaction_set_margin(crmkit_interaction* rec, int64_t margin) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) { r.rec.margin = margin; });
}

int crmkit_interaction_clear_margin(crmkit_interaction* rec) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) { r.rec.margin.reset(); });
}

int crmkit_interaction_set_subject(crmkit_interaction* rec, const char* subject) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.subject = capi::optional_text(subject, "subject", detail::kMaxShortText);
  });
}

int crmkit_interaction_set_notes(crmkit_interaction* rec, const char* notes) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.notes = capi::optional_text(notes, "notes", detail::kMaxLongText);
  });
}

int crmkit_interaction_set_attributes(crmkit_interaction* rec, const char* json) {
  return capi::set_on(rec, "rec", [&](crmkit_interaction& r) {
    r.rec.attributes = capi::optional_text(json, "attributes", detail::kMaxJsonText);
  });
}

int crmkit_interaction_record(int64_t* out_id, crmkit_db* db, const crmkit_interaction* rec) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(rec, "rec");
    need(out_id, "out_id");
    *out_id = 0;
    *out_id = Interactions(db->session->store).record(rec->rec);
    return CRMKIT_OK;
  });
}

int crmkit_interaction_record_json(int64_t* out_id, crmkit_db* db, const char* json) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = 0;
    Interaction rec = detail::interaction_from_json(capi::text_arg(json, "json", detail::kMaxLongText + detail::kMaxJsonText));
    *out_id = Interactions(db->session->store).record(rec);
    return CRMKIT_OK;
  });
}

int crmkit_interaction_get_json(char** out_json, crmkit_db* db, int64_t id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Interactions(db->session->store).get(id), JsonForm::exact);
  });
}

int crmkit_batch_new(crmkit_batch** out) { return capi::new_handle(out); }

void crmkit_batch_free(crmkit_batch* batch) { delete batch; }

int crmkit_batch_add(crmkit_batch* batch, const crmkit_interaction* rec) {
  return capi::set_on(batch, "batch", [&](crmkit_batch& b) {
    need(rec, "rec");
    b.rows.push_back(rec->rec);
  });
}

int crmkit_batch_add_json(crmkit_batch* batch, const char* json) {
  return capi::set_on(batch, "batch", [&](crmkit_batch& b) {
    b.rows.push_back(
        detail::interaction_from_json(capi::text_arg(json, "json", detail::kMaxLongText + detail::kMaxJsonText)));
  });
}

int64_t crmkit_batch_size(const crmkit_batch* batch) {
  return batch ? static_cast<int64_t>(batch->rows.size()) : 0;
}

int crmkit_batch_clear(crmkit_batch* batch) {
  return capi::set_on(batch, "batch", [&](crmkit_batch& b) { b.rows.clear(); });
}

int crmkit_batch_set_skip_invalid(crmkit_batch* batch, int skip_invalid) {
  return capi::set_on(batch, "batch", [&](crmkit_batch& b) { b.options.skip_invalid = skip_invalid != 0; });
}

int crmkit_batch_set_allow_repeats(crmkit_batch* batch, int allow_repeats) {
  return capi::set_on(batch, "batch", [&](crmkit_batch& b) { b.options.allow_repeats = allow_repeats != 0; });
}

int crmkit_batch_commit(crmkit_batch_result** out, crmkit_db* db, const crmkit_batch* batch) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    need(batch, "batch");
    auto r = std::make_unique<crmkit_batch_result>();
    r->result = Interactions(db->session->store).record_batch(batch->rows, batch->options);
    *out = r.release();
    return CRMKIT_OK;
  });
}

void crmkit_batch_result_free(crmkit_batch_result* r) { delete r; }

int64_t crmkit_batch_result_inserted(const crmkit_batch_result* r) {
  return r ? static_cast<int64_t>(r->result.inserted) : 0;
}

int64_t crmkit_batch_result_duplicates(const crmkit_batch_result* r) {
  return r ? static_cast<int64_t>(r->result.duplicates) : 0;
}

int64_t crmkit_batch_result_duplicate_external_ids(const crmkit_batch_result* r) {
  return r ? static_cast<int64_t>(r->result.duplicate_external_ids) : 0;
}

int64_t crmkit_batch_result_duplicate_natural_keys(const crmkit_batch_result* r) {
  return r ? static_cast<int64_t>(r->result.duplicate_natural_keys) : 0;
}

int64_t crmkit_batch_result_id(const crmkit_batch_result* r, int64_t index) {
  if (!r || index < 0 || static_cast<uint64_t>(index) >= r->result.ids.size()) return 0;
  return r->result.ids[static_cast<std::size_t>(index)];
}

int64_t crmkit_batch_result_error_count(const crmkit_batch_result* r) {
  return r ? static_cast<int64_t>(r->result.errors.size()) : 0;
}

int crmkit_batch_result_error(int64_t* out_row, int* out_status, const char** out_message, const crmkit_batch_result* r,
                              int64_t k) {
  return call(nullptr, [&] {
    need(r, "r");
    if (k < 0 || static_cast<uint64_t>(k) >= r->result.errors.size())
      throw Error(Errc::invalid_argument, "error index " + std::to_string(k) + " is out of range 0.." +
                                              std::to_string(static_cast<int64_t>(r->result.errors.size()) - 1));
    const RowError& e = r->result.errors[static_cast<std::size_t>(k)];
    if (out_row) *out_row = static_cast<int64_t>(e.index);
    if (out_status) *out_status = capi::status_of(e.code);
    if (out_message) *out_message = e.message.c_str();
    return CRMKIT_OK;
  });
}

int crmkit_batch_result_json(char** out_json, const crmkit_batch_result* r) {
  return call(nullptr, [&] {
    need(r, "r");
    need(out_json, "out_json");
    *out_json = nullptr;
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : r->result.errors)
      errors.push_back({{"row", e.index}, {"status", capi::status_of(e.code)}, {"message", e.message}});
    nlohmann::json j{{"inserted", r->result.inserted},
                     {"duplicates", r->result.duplicates},
                     {"duplicates_by_reason",
                      {{"same_external_id", r->result.duplicate_external_ids},
                       {"same_natural_key", r->result.duplicate_natural_keys}}},
                     {"ids", r->result.ids},
                     {"errors", errors}};
    *out_json = capi::owned_string(j.dump());
    return CRMKIT_OK;
  });
}

int crmkit_interaction_iter_new(crmkit_interaction_iter** out, crmkit_db* db, int64_t customer_id,
                                const char* channel, const char* kind, int64_t from, int64_t to) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    auto it = std::make_unique<crmkit_interaction_iter>();
    it->rows.session = db->session;
    it->customer_id = customer_id;
    if (channel) it->filter.channel = parse_channel(capi::text_arg(channel, "channel", 100));
    if (kind) it->filter.kind = parse_interaction_kind(capi::text_arg(kind, "kind", 100));
    if (from != std::numeric_limits<int64_t>::min()) it->filter.from = from;
    if (to != std::numeric_limits<int64_t>::max()) it->filter.to = to;
    // The first page now: an unknown customer or a bad bound fails here, not at next().
    TimelinePage p = Interactions(db->session->store).timeline(customer_id, it->filter, kFirstPage);
    it->rows.page = std::move(p.interactions);
    it->rows.more = p.has_more;
    it->before_time = p.next_before_time;
    it->before_id = p.next_before_id;
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_interaction_iter_next(crmkit_interaction_iter* it) {
  return capi::next_row(it, [&] {
    TimelinePage p = Interactions(it->rows.session->store)
                         .timeline(it->customer_id, it->filter, kIterPage, it->before_time, it->before_id);
    it->rows.page = std::move(p.interactions);
    it->rows.more = p.has_more;
    it->before_time = p.next_before_time;
    it->before_id = p.next_before_id;
  });
}

int64_t crmkit_interaction_iter_id(const crmkit_interaction_iter* it) {
  return capi::current_field<int64_t>(it, [](const Interaction& i) { return i.id; });
}
int64_t crmkit_interaction_iter_customer_id(const crmkit_interaction_iter* it) {
  return capi::current_field<int64_t>(it, [](const Interaction& i) { return i.customer_id; });
}
int64_t crmkit_interaction_iter_occurred_at(const crmkit_interaction_iter* it) {
  return capi::current_field<int64_t>(it, [](const Interaction& i) { return i.occurred_at; });
}
const char* crmkit_interaction_iter_external_id(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) { return c_str(i.external_id); });
}
const char* crmkit_interaction_iter_channel(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) { return to_string(i.channel); });
}
const char* crmkit_interaction_iter_kind(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) { return to_string(i.kind); });
}
const char* crmkit_interaction_iter_direction(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) { return to_string(i.direction); });
}
int64_t crmkit_interaction_iter_amount(const crmkit_interaction_iter* it) {
  return capi::current_field<int64_t>(it, [](const Interaction& i) { return i.amount ? i.amount->minor : 0; });
}
const char* crmkit_interaction_iter_currency(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) -> const char* {
    return i.amount ? i.amount->currency.c_str() : nullptr;
  });
}
const char* crmkit_interaction_iter_subject(const crmkit_interaction_iter* it) {
  return capi::current_field<const char*>(it, [](const Interaction& i) { return c_str(i.subject); });
}

int crmkit_interaction_iter_json(char** out_json, const crmkit_interaction_iter* it) {
  return capi::current_row_json(out_json, it, "interaction", "crmkit_interaction_iter_next");
}

void crmkit_interaction_iter_free(crmkit_interaction_iter* it) { delete it; }

int crmkit_customer_figures_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerFigures f = Interactions(db->session->store).figures(customer_id);
    return to_json(f, JsonForm::exact);
  });
}

int crmkit_interaction_rebuild_figures(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    Interactions(db->session->store).rebuild_figures();
    return CRMKIT_OK;
  });
}

}  // extern "C"
