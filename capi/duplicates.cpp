// C API: duplicate detection (rules, real-time check, scan, explain, ignore) and the customer
// import preview built on it.
#include <nlohmann/json.hpp>

#include "crmkit/duplicates.hpp"
#include "crmkit/import_preview.hpp"
#include "customers/customer_json.hpp"
#include "customer_record.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;

extern "C" {

int crmkit_duplicates_rules_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] { return to_json(Duplicates(db->session->store).rules()); });
}

int crmkit_duplicates_set_rules_json(crmkit_db* db, const char* rules_json, int64_t at) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    const DuplicateRules rules = duplicate_rules_from_json(capi::text_arg(rules_json, "rules_json", 1'000'000));
    Duplicates(db->session->store).set_rules(rules, at);
    return CRMKIT_OK;
  });
}

int crmkit_duplicates_check_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : Duplicates(db->session->store).check(customer_id)) list.push_back(nlohmann::json::parse(to_json(c)));
    return list.dump();
  });
}

int crmkit_duplicates_check_record_json(char** out_json, crmkit_db* db, const crmkit_customer* record) {
  return capi::json_out(out_json, db, "out_json", [&] {
    capi::need(record, "record");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : Duplicates(db->session->store).check(record->fields))
      list.push_back(nlohmann::json::parse(to_json(c)));
    return list.dump();
  });
}

int crmkit_customer_import_preview_json(char** out_json, crmkit_db* db, const char* records_json) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const std::string text = capi::text_arg(records_json, "records_json", 1'000'000'000);
    const nlohmann::json records = nlohmann::json::parse(text, nullptr, false);
    if (records.is_discarded() || !records.is_array())
      throw Error(Errc::invalid_argument, "records_json is not a JSON array");
    CustomerImportPreview preview(db->session->store);
    ImportPreview out;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto line = static_cast<std::int64_t>(i) + 1;
      // A record that cannot be converted is an error row, as a CSV row that cannot be read is.
      CustomerFields fields;
      try {
        fields = detail::customer_fields_from_json(records[i].dump());
      } catch (const Error& e) {
        out.rows.push_back(preview.refuse(line, e.code(), e.what()));
        continue;
      }
      out.rows.push_back(preview.add(line, fields));
    }
    out.totals = preview.totals();
    return to_json(out);
  });
}

int crmkit_duplicates_scan_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] { return to_json(Duplicates(db->session->store).scan()); });
}

int crmkit_duplicates_scan_fellegi_sunter_json(char** out_json, crmkit_db* db, const double* threshold) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Duplicates(db->session->store)
                       .scan_fellegi_sunter(threshold ? std::optional<double>(*threshold) : std::nullopt));
  });
}

int crmkit_duplicates_explain_json(char** out_json, crmkit_db* db, int64_t a, int64_t b) {
  return capi::json_out(out_json, db, "out_json", [&] { return to_json(Duplicates(db->session->store).explain(a, b)); });
}

int crmkit_duplicates_ignore(crmkit_db* db, int64_t a, int64_t b, int64_t at) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    Duplicates(db->session->store).ignore(a, b, at);
    return CRMKIT_OK;
  });
}

}  // extern "C"
