// Fuzzes sequences of C API calls: the input is decoded as a program (customers created,
// upserted from JSON, updated, deleted; interactions recorded from setters and from JSON;
// batches; timeline and customer iterators; begin/commit/rollback; figures; rebuild) on a
// fresh in-memory database, arguments taken from the input. Every call must return a
// documented status and never CRMKIT_EINTERNAL; at the end the kept figures of every customer
// equal a full rebuild, and an iterator still works after its database handle is closed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "crmkit.h"
#include "program_input.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Says which status broke the contract before aborting, so a CI log names the bug.
int checked(int rc) {
  bool documented = rc == CRMKIT_OK || rc == CRMKIT_DONE || (rc < 0 && rc > CRMKIT_EINTERNAL);
  if (!documented || (rc < 0 && crmkit_last_error_message()[0] == '\0')) {
    std::fprintf(stderr, "capi_program_fuzz: status %d: %s\n", rc, crmkit_last_error_message());
    std::abort();
  }
  return rc;
}

const char* const kTexts[] = {"a", "", "x'); DROP TABLE customers;--", "\xc3\x28", "\xf0\x9f\x98\x80",
                             "USD", "usd", "EUR", "purchase", "refund", "visit", "note", "web", "email",
                             "{}", "{\"a\":1}", "[1]", "{\"a\":", "a@example.com", "+442079460958"};

struct Input : ProgramInput {
  std::int64_t int64() {  // mostly instants a day apart from 2020-09-13, sometimes the edges
    return ProgramInput::int64(
        [this](std::uint8_t) { return 1'600'000'000'000 + static_cast<std::int64_t>(byte()) * 86'400'000; });
  }
  std::string text() { return ProgramInput::text(kTexts, 32, 'z'); }  // C strings end at NUL
};

const char* const kFields[] = {"external_id", "display_name", "email",   "phone",      "country",
                               "kind",        "lifecycle_stage", "attributes", "birth_date", "gender"};
const char* const kKinds[] = {"purchase", "refund", "visit", "note", "complaint", "bogus"};

crmkit_interaction* make_interaction(Input& in, const std::vector<std::int64_t>& ids) {
  crmkit_interaction* r = nullptr;
  checked(crmkit_interaction_new(&r));
  std::uint8_t c = in.byte();
  checked(crmkit_interaction_set_customer_id(r, (!ids.empty() && c < 230) ? ids[c % ids.size()] : in.int64()));
  checked(crmkit_interaction_set_occurred_at(r, in.byte() < 220 ? 1'600'000'000'000 + in.byte() * 3'600'000LL : in.int64()));
  checked(crmkit_interaction_set_kind(r, kKinds[in.byte() % 6]));
  if (in.byte() % 4 == 0) checked(crmkit_interaction_set_channel(r, in.text().c_str()));
  std::uint8_t a = in.byte();
  if (a % 3 != 0)
    checked(crmkit_interaction_set_amount(r, (a & 0x80) ? in.int64() : a * 10, a % 5 ? "USD" : in.text().c_str()));
  if (a % 7 == 0) checked(crmkit_interaction_set_margin(r, in.int64()));
  if (in.byte() < 120) checked(crmkit_interaction_set_external_id(r, ("e" + std::to_string(in.byte() % 24)).c_str()));
  if (in.byte() % 5 == 0) checked(crmkit_interaction_set_attributes(r, in.text().c_str()));
  return r;
}

std::string all_figures(crmkit_db* db, std::vector<std::int64_t>* ids) {
  std::string out;
  crmkit_customer_iter* it = nullptr;
  require(checked(crmkit_customer_iter_new(&it, db, nullptr, 0)) == CRMKIT_OK);
  while (checked(crmkit_customer_iter_next(it)) == CRMKIT_OK) {
    std::int64_t id = crmkit_customer_iter_id(it);
    if (ids) ids->push_back(id);
    char* json = nullptr;
    require(checked(crmkit_customer_figures_json(&json, db, id)) == CRMKIT_OK);
    out += json;
    out += '\n';
    crmkit_free(json);
  }
  crmkit_customer_iter_free(it);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{{data, size}};
  crmkit_db* db = nullptr;
  require(crmkit_db_open(&db, ":memory:", nullptr) == CRMKIT_OK);
  std::vector<std::int64_t> ids;
  bool in_tx = false;
  for (int step = 0; step < 150 && in.n; ++step) {
    switch (in.byte() % 16) {
      case 0: {
        crmkit_customer* c = nullptr;
        checked(crmkit_customer_new(&c));
        checked(crmkit_customer_set_created_at(c, in.int64()));
        for (int k = in.byte() % 4; k > 0; --k) checked(crmkit_customer_set_text(c, kFields[in.byte() % 10], in.text().c_str()));
        if (in.byte() % 3 == 0) checked(crmkit_customer_add_tag(c, in.text().c_str()));
        std::int64_t id = 0;
        if (checked(crmkit_customer_create(&id, db, c)) == CRMKIT_OK) ids.push_back(id);
        crmkit_customer_free(c);
        break;
      }
      case 1: {
        std::string json = in.byte() % 2 ? in.text()
                                         : "{\"external_id\":\"u" + std::to_string(in.byte() % 8) +
                                               "\",\"created_at\":" + std::to_string(in.int64()) + "}";
        std::int64_t id = 0;
        int created = 0;
        if (checked(crmkit_customer_upsert_json(&id, &created, db, json.c_str())) == CRMKIT_OK && created) ids.push_back(id);
        break;
      }
      case 2: {
        crmkit_customer* c = nullptr;
        checked(crmkit_customer_new(&c));
        checked(crmkit_customer_set_text(c, kFields[in.byte() % 10], in.text().c_str()));
        if (in.byte() % 4 == 0) checked(crmkit_customer_clear_field(c, in.text().c_str()));
        checked(crmkit_customer_update(db, ids.empty() ? in.int64() : ids[in.byte() % ids.size()], c, in.int64()));
        crmkit_customer_free(c);
        break;
      }
      case 3: checked(crmkit_customer_delete(db, ids.empty() ? in.int64() : ids[in.byte() % ids.size()])); break;
      case 4: {
        crmkit_interaction* r = make_interaction(in, ids);
        std::int64_t id = 0;
        checked(crmkit_interaction_record(&id, db, r));
        crmkit_interaction_free(r);
        break;
      }
      case 5: {
        std::int64_t id = 0;
        checked(crmkit_interaction_record_json(&id, db, in.text().c_str()));
        break;
      }
      case 6: {
        crmkit_batch* b = nullptr;
        checked(crmkit_batch_new(&b));
        for (int k = in.byte() % 12; k > 0; --k) {
          crmkit_interaction* r = make_interaction(in, ids);
          checked(crmkit_batch_add(b, r));
          crmkit_interaction_free(r);
        }
        if (in.byte() % 4 == 0) checked(crmkit_batch_add_json(b, in.text().c_str()));
        checked(crmkit_batch_set_skip_invalid(b, in.byte() % 2));
        crmkit_batch_result* res = nullptr;
        if (checked(crmkit_batch_commit(&res, db, b)) == CRMKIT_OK) {
          require(crmkit_batch_result_inserted(res) + crmkit_batch_result_duplicates(res) +
                      crmkit_batch_result_error_count(res) == crmkit_batch_size(b));
          char* json = nullptr;
          checked(crmkit_batch_result_json(&json, res));
          crmkit_free(json);
        }
        crmkit_batch_result_free(res);
        crmkit_batch_free(b);
        break;
      }
      case 7: {
        if (ids.empty()) break;
        crmkit_interaction_iter* it = nullptr;
        const char* kind = in.byte() % 3 == 0 ? kKinds[in.byte() % 6] : nullptr;
        if (checked(crmkit_interaction_iter_new(&it, db, ids[in.byte() % ids.size()], nullptr, kind,
                                                std::numeric_limits<std::int64_t>::min(),
                                                std::numeric_limits<std::int64_t>::max())) == CRMKIT_OK) {
          std::int64_t last = std::numeric_limits<std::int64_t>::max();
          for (int k = 0; k < 2000 && checked(crmkit_interaction_iter_next(it)) == CRMKIT_OK; ++k) {
            std::int64_t t = crmkit_interaction_iter_occurred_at(it);
            require(t <= last);  // newest first
            last = t;
            require(crmkit_interaction_iter_kind(it) != nullptr);
          }
        }
        crmkit_interaction_iter_free(it);
        break;
      }
      case 8:
        if (checked(crmkit_db_begin(db)) == CRMKIT_OK) in_tx = true;
        else require(in_tx);  // refused only when one is already open
        break;
      case 9:
        if (checked(crmkit_db_commit(db)) == CRMKIT_OK) in_tx = false;
        break;
      case 10:
        if (checked(crmkit_db_rollback(db)) == CRMKIT_OK) {
          in_tx = false;
          ids.clear();  // some may be gone; the figures check below re-lists them
          all_figures(db, &ids);
        }
        break;
      case 11: {
        char* json = nullptr;
        checked(crmkit_customer_figures_json(&json, db, ids.empty() ? in.int64() : ids[in.byte() % ids.size()]));
        crmkit_free(json);
        break;
      }
      case 12: checked(crmkit_interaction_rebuild_figures(db)); break;
      case 13: {
        char* json = nullptr;
        checked(crmkit_customer_get_json(&json, db, ids.empty() ? in.int64() : ids[in.byte() % ids.size()]));
        crmkit_free(json);
        break;
      }
      case 14: {
        // The model a prediction names: kinds, ids and arbitrary text through parse_model_choice.
        const char* const kModels[] = {nullptr, "bgnbd", "pnbd", "mbgnbd", "gg", "1", "0"};
        std::string text = in.text();
        const std::uint8_t m = in.byte();
        crmkit_score_options* options = nullptr;
        checked(crmkit_score_options_new(&options));
        checked(crmkit_score_options_set_model(options, m < 200 ? kModels[m % 7] : text.c_str()));
        checked(crmkit_score_options_set_horizon(options, 1 + in.byte(), "day"));
        char* json = nullptr;
        checked(crmkit_value_score_json(&json, db,
                                        in.byte() < 200 ? 1'600'000'000'000 + in.byte() * 86'400'000LL : in.int64(),
                                        options));
        crmkit_free(json);
        crmkit_score_options_free(options);
        break;
      }
      case 15: {
        // The churn rule at an instant: whatever it did, a rerun at the same instant moves nobody.
        const char* const kRules[] = {"no_purchase", "p_alive", "bogus"};
        checked(crmkit_customer_set_lifecycle_rule(db, kRules[in.byte() % 3], in.byte() < 240 ? in.byte() : in.int64(),
                                                   in.byte() / 200.0));
        const std::int64_t as_of = in.byte() < 220 ? 1'600'000'000'000 + in.byte() * 86'400'000LL : in.int64();
        const int override_manual = in.byte() % 3;  // 2 is refused
        char* first = nullptr;
        if (checked(crmkit_customer_update_lifecycle_json(&first, db, as_of, override_manual)) == CRMKIT_OK) {
          char* again = nullptr;
          require(checked(crmkit_customer_update_lifecycle_json(&again, db, as_of, override_manual)) == CRMKIT_OK);
          require(std::string(again).find("\"moves\":[]") != std::string::npos);
          crmkit_free(again);
        }
        crmkit_free(first);
        break;
      }
    }
  }
  if (in_tx) checked(crmkit_db_commit(db));
  const std::string kept = all_figures(db, nullptr);
  require(checked(crmkit_interaction_rebuild_figures(db)) == CRMKIT_OK);
  require(all_figures(db, nullptr) == kept);
  // A child handle outlives its database handle.
  crmkit_customer_iter* it = nullptr;
  require(checked(crmkit_customer_iter_new(&it, db, nullptr, 0)) == CRMKIT_OK);
  crmkit_db_close(db);
  while (checked(crmkit_customer_iter_next(it)) == CRMKIT_OK) {
  }
  crmkit_customer_iter_free(it);
  return 0;
}
