// C API: customers (records built with setters, create/upsert/update/delete, lookups, listing).
#include <cstring>

#include "base/text.hpp"
#include "customer_record.hpp"
#include "customers/customer_json.hpp"
#include "handle.hpp"
#include "pages.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;


struct crmkit_customer_filter {
  CustomerFilter filter;
};

struct crmkit_customer_iter {
  capi::Pages<Customer> rows;
  CustomerFilter filter;
  std::int64_t after = 0;  // keyset cursor of the next page
};

namespace {

constexpr std::size_t kIterPage = 500;

std::optional<std::string>* text_field(CustomerFields& f, const std::string& name) {
  if (name == "external_id") return &f.external_id;
  if (name == "display_name") return &f.display_name;
  if (name == "given_name") return &f.given_name;
  if (name == "family_name") return &f.family_name;
  if (name == "email") return &f.email;
  if (name == "phone") return &f.phone;
  if (name == "birth_date") return &f.birth_date;
  if (name == "gender") return &f.gender;
  if (name == "country") return &f.country;
  if (name == "region") return &f.region;
  if (name == "city") return &f.city;
  if (name == "postal_code") return &f.postal_code;
  if (name == "acquisition_channel") return &f.acquisition_channel;
  if (name == "attributes") return &f.attributes;
  return nullptr;
}

const char* c_str(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

}  // namespace

extern "C" {

int crmkit_customer_new(crmkit_customer** out) { return capi::new_handle(out); }

void crmkit_customer_free(crmkit_customer* c) { delete c; }

int crmkit_customer_set_text(crmkit_customer* c, const char* field, const char* value) {
  return capi::set_on(c, "c", [&](crmkit_customer& r) {
    std::string name = capi::text_arg(field, "field", 100);
    const std::size_t limit = name == "attributes" ? detail::kMaxJsonText : detail::kMaxShortText;
    std::optional<std::string> v = capi::optional_text(value, name.c_str(), limit);
    if (name == "kind") {
      if (v) r.fields.kind = parse_customer_kind(*v);
      else r.fields.kind.reset();
    } else if (name == "lifecycle_stage") {
      if (v) r.fields.lifecycle_stage = parse_lifecycle_stage(*v);
      else r.fields.lifecycle_stage.reset();
    } else if (auto* slot = text_field(r.fields, name)) {
      *slot = std::move(v);
    } else {
      throw Error(Errc::invalid_argument,
                  "field '" + detail::printable(name) + "' is not a customer text field");
    }
  });
}

int crmkit_customer_set_acquisition_cost(crmkit_customer* c, int64_t minor, const char* currency) {
  return capi::set_on(c, "c", [&](crmkit_customer& r) {
    r.fields.acquisition_cost = Money{minor, currency_code(capi::text_arg(currency, "currency", 16))};
  });
}

int crmkit_customer_set_created_at(crmkit_customer* c, int64_t created_at) {
  return capi::set_on(c, "c", [&](crmkit_customer& r) { r.fields.created_at = created_at; });
}

int crmkit_customer_add_tag(crmkit_customer* c, const char* tag) {
  return capi::set_on(c, "c", [&](crmkit_customer& r) {
    std::string t = capi::text_arg(tag, "tag");
    if (!r.fields.tags) r.fields.tags.emplace();
    r.fields.tags->push_back(std::move(t));
  });
}

int crmkit_customer_clear_field(crmkit_customer* c, const char* field) {
  return capi::set_on(c, "c", [&](crmkit_customer& r) {
    r.fields.clear.push_back(capi::text_arg(field, "field", 100));
  });
}

int crmkit_customer_create(int64_t* out_id, crmkit_db* db, const crmkit_customer* c) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(c, "c");
    need(out_id, "out_id");
    *out_id = 0;
    *out_id = Customers(db->session->store).create(c->fields);
    return CRMKIT_OK;
  });
}

int crmkit_customer_upsert(int64_t* out_id, int* out_created, crmkit_db* db, const crmkit_customer* c) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(c, "c");
    need(out_id, "out_id");
    *out_id = 0;
    bool made = false;
    *out_id = Customers(db->session->store).upsert(c->fields, &made);
    if (out_created) *out_created = made ? 1 : 0;
    return CRMKIT_OK;
  });
}

int crmkit_customer_upsert_json(int64_t* out_id, int* out_created, crmkit_db* db, const char* json) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = 0;
    std::string text = capi::text_arg(json, "json", detail::kMaxJsonText);
    CustomerFields f = detail::customer_fields_from_json(text);
    bool made = false;
    *out_id = Customers(db->session->store).upsert(f, &made);
    if (out_created) *out_created = made ? 1 : 0;
    return CRMKIT_OK;
  });
}

int crmkit_customer_update(crmkit_db* db, int64_t id, const crmkit_customer* c, int64_t updated_at) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(c, "c");
    Customers(db->session->store).update(id, c->fields, updated_at);
    return CRMKIT_OK;
  });
}

int crmkit_customer_delete(crmkit_db* db, int64_t id) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    Customers(db->session->store).remove(id);
    return CRMKIT_OK;
  });
}

int crmkit_customer_get_json(char** out_json, crmkit_db* db, int64_t id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Customers(db->session->store).get(id), JsonForm::exact);
  });
}

int crmkit_customer_get_by_external_id_json(char** out_json, crmkit_db* db, const char* external_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    std::string ext = capi::text_arg(external_id, "external_id");
    Customer c = Customers(db->session->store).get_by_external_id(ext);
    return to_json(c, JsonForm::exact);
  });
}

int crmkit_customer_find_by_email_json(char** out_json, crmkit_db* db, const char* email) {
  return capi::json_out(out_json, db, "out_json", [&] {
    std::string e = capi::text_arg(email, "email");
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : Customers(db->session->store).find_by_email(e))
      arr.push_back(detail::customer_json(c, detail::JsonForm::exact));
    return arr.dump();
  });
}

int crmkit_customer_find_id(int64_t* out_id, crmkit_db* db, const char* external_id) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = 0;
    std::string ext = capi::text_arg(external_id, "external_id");
    auto found = Customers(db->session->store).find_id(ext);
    if (!found) throw Error(Errc::not_found, "no customer has external_id '" + detail::printable(ext) + "'");
    *out_id = *found;
    return CRMKIT_OK;
  });
}

int crmkit_customer_filter_new(crmkit_customer_filter** out) { return capi::new_handle(out); }

void crmkit_customer_filter_free(crmkit_customer_filter* f) { delete f; }

int crmkit_customer_filter_set_created_from(crmkit_customer_filter* f, int64_t from) {
  return capi::set_on(f, "filter", [&](crmkit_customer_filter& cf) { cf.filter.created_from = from; });
}

int crmkit_customer_filter_set_created_to(crmkit_customer_filter* f, int64_t to) {
  return capi::set_on(f, "filter", [&](crmkit_customer_filter& cf) { cf.filter.created_to = to; });
}

int crmkit_customer_filter_set_tag(crmkit_customer_filter* f, const char* tag) {
  return capi::set_on(f, "filter", [&](crmkit_customer_filter& cf) { cf.filter.tag = capi::text_arg(tag, "tag"); });
}

int crmkit_customer_filter_set_lifecycle_stage(crmkit_customer_filter* f, const char* stage) {
  return capi::set_on(f, "filter", [&](crmkit_customer_filter& cf) {
    cf.filter.lifecycle_stage = parse_lifecycle_stage(capi::text_arg(stage, "stage", 100), "stage");
  });
}

int crmkit_customer_filter_set_country(crmkit_customer_filter* f, const char* country) {
  return capi::set_on(f, "filter", [&](crmkit_customer_filter& cf) {
    cf.filter.country = capi::text_arg(country, "country", 100);
  });
}

int crmkit_customer_count(int64_t* out_count, crmkit_db* db, const crmkit_customer_filter* filter) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_count, "out_count");
    *out_count = 0;
    *out_count = Customers(db->session->store).count(filter ? filter->filter : CustomerFilter{});
    return CRMKIT_OK;
  });
}

int crmkit_customer_iter_new(crmkit_customer_iter** out, crmkit_db* db, const crmkit_customer_filter* filter,
                             int64_t after) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    if (after < 0) throw Error(Errc::invalid_argument, "after " + std::to_string(after) + " is negative");
    auto it = std::make_unique<crmkit_customer_iter>();
    it->rows.session = db->session;
    it->filter = filter ? filter->filter : CustomerFilter{};
    it->after = after;
    // Checks the filter now rather than at the first next().
    Customers(db->session->store).count(it->filter);
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_customer_iter_next(crmkit_customer_iter* it) {
  return capi::next_row(it, [&] {
    CustomerPage p = Customers(it->rows.session->store).list(it->filter, it->after, static_cast<int>(kIterPage));
    it->rows.page = std::move(p.customers);
    it->after = p.next_after;
    it->rows.more = p.next_after != 0;
  });
}

int64_t crmkit_customer_iter_id(const crmkit_customer_iter* it) {
  return capi::current_field<int64_t>(it, [](const Customer& c) { return c.id; });
}
const char* crmkit_customer_iter_external_id(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return c_str(c.external_id); });
}
const char* crmkit_customer_iter_display_name(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return c_str(c.display_name); });
}
const char* crmkit_customer_iter_email(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return c_str(c.email); });
}
const char* crmkit_customer_iter_phone(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return c_str(c.phone); });
}
const char* crmkit_customer_iter_country(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return c_str(c.country); });
}
const char* crmkit_customer_iter_kind(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return to_string(c.kind); });
}
const char* crmkit_customer_iter_lifecycle_stage(const crmkit_customer_iter* it) {
  return capi::current_field<const char*>(it, [](const Customer& c) { return to_string(c.lifecycle_stage); });
}
int64_t crmkit_customer_iter_created_at(const crmkit_customer_iter* it) {
  return capi::current_field<int64_t>(it, [](const Customer& c) { return c.created_at; });
}
int64_t crmkit_customer_iter_updated_at(const crmkit_customer_iter* it) {
  return capi::current_field<int64_t>(it, [](const Customer& c) { return c.updated_at; });
}

int crmkit_customer_iter_json(char** out_json, const crmkit_customer_iter* it) {
  return capi::current_row_json(out_json, it, "customer", "crmkit_customer_iter_next");
}

void crmkit_customer_iter_free(crmkit_customer_iter* it) { delete it; }

int crmkit_customer_lifecycle_rule_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Customers(db->session->store).lifecycle_rule());
  });
}

int crmkit_customer_set_lifecycle_rule(crmkit_db* db, const char* churn_rule, int64_t window_days,
                                       double p_alive_threshold) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    LifecycleRule r;
    r.churn = parse_churn_rule(capi::text_arg(churn_rule, "churn_rule", 100));
    // Range-checked here, before the narrowing to int could change the value.
    if (window_days < 1 || window_days > 36'500)
      throw Error(Errc::invalid_argument, "window_days " + std::to_string(window_days) + " is out of range 1..36500");
    r.window_days = static_cast<int>(window_days);
    r.p_alive_threshold = p_alive_threshold;
    Customers(db->session->store).set_lifecycle_rule(r);
    return CRMKIT_OK;
  });
}

int crmkit_customer_update_lifecycle_json(char** out_json, crmkit_db* db, int64_t as_of, int override_manual) {
  return capi::json_out(out_json, db, "out_json", [&] {
    if (override_manual != 0 && override_manual != 1)
      throw Error(Errc::invalid_argument, "override_manual " + std::to_string(override_manual) + " must be 0 or 1");
    LifecycleOptions o;
    o.override_manual = override_manual == 1;
    return to_json(Customers(db->session->store).update_lifecycle(as_of, o));
  });
}

}  // extern "C"
