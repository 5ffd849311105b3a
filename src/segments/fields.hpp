// The whitelist of fields a rule may name, their value types and the operators they accept.
#pragma once

#include <string_view>

namespace crmkit::segments {

enum class FieldType {
  text,       // compared as UTF-8 text, case-sensitive
  number,     // integer or real
  money,      // decimal major units of the store's default currency, compared in minor units
  instant,    // ms since epoch; rule values are dates (whole UTC day) or ISO instants
  date,       // "YYYY-MM-DD" text (birth_date)
  tags,       // the customer's tag set
  attribute,  // json_extract(c.attributes, path): text, number or boolean
  consent,    // consent.<channel>.<purpose>: the consent state's name at as_of, never missing
};

enum class FieldId {
  id, external_id, kind, display_name, given_name, family_name, email, phone, gender, country,
  region, city, postal_code, lifecycle_stage, acquisition_channel, acquisition_cost, created_at,
  updated_at, birth_date, erased_at, age, tags,
  purchase_count, purchase_days, refund_count, interaction_count, first_purchase_at,
  last_purchase_at, last_interaction_at, monetary_total, days_since_last_purchase,
  p_alive, expected_purchases, predicted_clv,
  rfm_segment, rfm_r, rfm_f, rfm_m, rfm_score,
  attribute,
};

struct FieldInfo {
  std::string_view name;
  FieldId id;
  FieldType type;
};

// nullptr when the name is not a plain field (attributes.* is handled separately).
const FieldInfo* find_field(std::string_view name) noexcept;

enum class Op {
  eq, ne, lt, lte, gt, gte, between, not_between, in, not_in, contains, not_contains,
  starts_with, ends_with, is_set, is_not_set,
};
bool parse_op(std::string_view s, Op* out) noexcept;
const char* op_name(Op op) noexcept;
bool op_allowed(FieldType t, Op op) noexcept;
bool op_is_negative(Op op) noexcept;

}  // namespace crmkit::segments
