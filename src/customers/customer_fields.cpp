#include "customers/customer_fields.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "customers/customer_field_table.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace detail {

namespace {

// ISO 3166-1 alpha-2 officially assigned codes, plus XK (Kosovo, user-assigned but in wide use).
constexpr const char* kCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
    "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
    "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
    "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
    "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

[[noreturn]] void bad(const char* field, std::string_view value, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("{} '{}' {}", field, printable(value), why));
}

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

void short_text(const char* field, const std::optional<std::string>& v) {
  if (v) check_text(field, *v, kMaxShortText);
}

}  // namespace

bool is_country_code(std::string_view code) noexcept {
  if (code.size() != 2) return false;
  for (const char* p = kCountries; *p; p += (p[2] ? 3 : 2))
    if (p[0] == code[0] && p[1] == code[1]) return true;
  return false;
}

CustomerFields normalized_fields(const CustomerFields& f, const Store& store) {
  CustomerFields n = f;
  if (f.external_id) {
    check_text("external_id", *f.external_id, kMaxShortText);
    if (f.external_id->empty()) throw Error(Errc::invalid_argument, "external_id is empty");
  }
  if (f.kind && !*to_string(*f.kind))
    throw Error(Errc::invalid_argument, fmt::format("kind {} is not a customer kind", static_cast<int>(*f.kind)));
  short_text("display_name", f.display_name);
  short_text("given_name", f.given_name);
  short_text("family_name", f.family_name);
  if (f.email) n.email = normalize_contact(ContactType::email, *f.email, "").normalized;
  if (f.phone) {
    check_text("phone", *f.phone, kMaxShortText);
    n.phone = normalize_phone(*f.phone, store.default_region());
  }
  if (f.birth_date) {
    check_text("birth_date", *f.birth_date, kMaxShortText);
    Day d = parse_date(*f.birth_date, "birth_date");
    if (format_date(d) != *f.birth_date) bad("birth_date", *f.birth_date, "is not a date YYYY-MM-DD");
  }
  if (f.gender) {
    check_text("gender", *f.gender, kMaxShortText);
    std::string g = upper_ascii(trim(*f.gender));
    if (g != "F" && g != "M" && g != "X") bad("gender", *f.gender, "is not one of F, M, X");
    n.gender = g;
  }
  if (f.country) {
    check_text("country", *f.country, kMaxShortText);
    std::string c = upper_ascii(trim(*f.country));
    if (!is_country_code(c)) bad("country", *f.country, "is not an ISO 3166-1 alpha-2 country code");
    n.country = c;
  }
  short_text("region", f.region);
  short_text("city", f.city);
  short_text("postal_code", f.postal_code);
  short_text("acquisition_channel", f.acquisition_channel);
  if (f.acquisition_cost) {
    check_text("acquisition_cost currency", f.acquisition_cost->currency, kMaxShortText);
    if (!is_currency_code(f.acquisition_cost->currency))
      bad("acquisition_cost currency", f.acquisition_cost->currency,
          "is not an ISO 4217 currency code");
    if (f.acquisition_cost->minor < 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("acquisition_cost {} is negative", f.acquisition_cost->minor));
  }
  if (f.lifecycle_stage && !*to_string(*f.lifecycle_stage))
    throw Error(Errc::invalid_argument,
                fmt::format("lifecycle_stage {} is not a lifecycle stage", static_cast<int>(*f.lifecycle_stage)));
  if (f.created_at) check_instant("created_at", *f.created_at);
  if (f.attributes) n.attributes = canonical_json_object("attributes", *f.attributes);
  if (f.tags) {
    if (f.tags->size() > kMaxTagsPerCustomer)
      throw Error(Errc::invalid_argument, fmt::format("tags has {} entries; the limit is {}", f.tags->size(),
                                                      kMaxTagsPerCustomer));
    std::vector<std::string> tags;
    tags.reserve(f.tags->size());
    for (const auto& t : *f.tags) {
      check_text("tag", t, kMaxShortText);
      std::string_view v = trim(t);
      std::size_t chars = code_points(v);
      if (chars == 0) throw Error(Errc::invalid_argument, "tag is empty");
      if (chars > kMaxTagChars)
        bad("tag", v, fmt::format("is {} characters long; the limit is {}", chars, kMaxTagChars));
      tags.emplace_back(v);
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    n.tags = std::move(tags);
  }
  for (const auto& name : f.clear) {
    const CustomerFieldRow* field = find_customer_field(name);
    if (!field || !field->info.clearable)
      throw Error(Errc::invalid_argument,
                  fmt::format("clear names '{}', which is not a field that can be cleared", printable(name)));
    if (field->is_given(f))
      throw Error(Errc::invalid_argument, fmt::format("{} is both given a value and named in clear", name));
  }
  return n;
}

namespace {

template <class T>
bool set(std::optional<T>& dst, const std::optional<T>& src) {
  if (!src) return false;
  if (dst && *dst == *src) return false;
  dst = src;
  return true;
}

bool same_money(const std::optional<Money>& a, const std::optional<Money>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->minor == b->minor && a->currency == b->currency);
}

}  // namespace

bool apply_fields(Customer& c, const CustomerFields& f) {
  bool changed = false;
  for (const auto& field : customer_field_rows())
    if (field.stored_text) changed |= set(c.*field.stored_text, f.*field.given_text);
  if (f.kind && c.kind != *f.kind) c.kind = *f.kind, changed = true;
  if (f.acquisition_cost && !same_money(c.acquisition_cost, f.acquisition_cost))
    c.acquisition_cost = f.acquisition_cost, changed = true;
  // A stage the host gives is its word: automatic moves leave it alone from now on.
  if (f.lifecycle_stage && (c.lifecycle_stage != *f.lifecycle_stage || !c.lifecycle_manual))
    c.lifecycle_stage = *f.lifecycle_stage, c.lifecycle_manual = true, changed = true;
  if (f.attributes && c.attributes != *f.attributes) c.attributes = *f.attributes, changed = true;
  if (f.tags && c.tags != *f.tags) c.tags = *f.tags, changed = true;
  for (const auto& name : f.clear)  // normalized_fields refused names that are not clearable
    if (const auto* field = find_customer_field(name); field && field->clear) changed |= field->clear(c);
  return changed;
}

}  // namespace detail
}  // namespace crmkit
