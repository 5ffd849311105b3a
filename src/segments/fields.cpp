// The field whitelist and operator table of the rule language.
#include "segments/fields.hpp"

#include <array>

namespace crmkit::segments {

namespace {
using T = FieldType;
using F = FieldId;
constexpr std::array<FieldInfo, 39> kFields{{
    {"id", F::id, T::number},
    {"external_id", F::external_id, T::text},
    {"kind", F::kind, T::text},
    {"display_name", F::display_name, T::text},
    {"given_name", F::given_name, T::text},
    {"family_name", F::family_name, T::text},
    {"email", F::email, T::text},
    {"phone", F::phone, T::text},
    {"gender", F::gender, T::text},
    {"country", F::country, T::text},
    {"region", F::region, T::text},
    {"city", F::city, T::text},
    {"postal_code", F::postal_code, T::text},
    {"lifecycle_stage", F::lifecycle_stage, T::text},
    {"acquisition_channel", F::acquisition_channel, T::text},
    {"acquisition_cost", F::acquisition_cost, T::money},
    {"created_at", F::created_at, T::instant},
    {"updated_at", F::updated_at, T::instant},
    {"birth_date", F::birth_date, T::date},
    {"erased_at", F::erased_at, T::instant},
    {"age", F::age, T::number},
    {"tags", F::tags, T::tags},
    {"purchase_count", F::purchase_count, T::number},
    {"purchase_days", F::purchase_days, T::number},
    {"refund_count", F::refund_count, T::number},
    {"interaction_count", F::interaction_count, T::number},
    {"first_purchase_at", F::first_purchase_at, T::instant},
    {"last_purchase_at", F::last_purchase_at, T::instant},
    {"last_interaction_at", F::last_interaction_at, T::instant},
    {"monetary_total", F::monetary_total, T::money},
    {"days_since_last_purchase", F::days_since_last_purchase, T::number},
    {"p_alive", F::p_alive, T::number},
    {"expected_purchases", F::expected_purchases, T::number},
    {"predicted_clv", F::predicted_clv, T::number},
    {"rfm_segment", F::rfm_segment, T::text},
    {"rfm_r", F::rfm_r, T::number},
    {"rfm_f", F::rfm_f, T::number},
    {"rfm_m", F::rfm_m, T::number},
    {"rfm_score", F::rfm_score, T::number},
}};

constexpr std::array<const char*, 16> kOps{
    "eq", "ne", "lt", "lte", "gt", "gte", "between", "not_between", "in", "not_in",
    "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_not_set"};
}  // namespace

const FieldInfo* find_field(std::string_view name) noexcept {
  for (const auto& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

bool parse_op(std::string_view s, Op* out) noexcept {
  for (std::size_t i = 0; i < kOps.size(); ++i)
    if (s == kOps[i]) {
      *out = static_cast<Op>(i);
      return true;
    }
  return false;
}

const char* op_name(Op op) noexcept { return kOps[static_cast<std::size_t>(op)]; }

bool op_is_negative(Op op) noexcept {
  return op == Op::ne || op == Op::not_between || op == Op::not_in || op == Op::not_contains;
}

bool op_allowed(FieldType t, Op op) noexcept {
  const bool ordering = op == Op::eq || op == Op::ne || op == Op::lt || op == Op::lte || op == Op::gt ||
                        op == Op::gte || op == Op::between || op == Op::not_between;
  const bool set_ops = op == Op::is_set || op == Op::is_not_set;
  const bool lists = op == Op::in || op == Op::not_in;
  const bool text_ops = op == Op::contains || op == Op::not_contains || op == Op::starts_with ||
                        op == Op::ends_with;
  switch (t) {
    case T::text:
    case T::attribute: return true;
    case T::number:
    case T::money: return ordering || set_ops || lists;
    case T::instant:
    case T::date: return ordering || set_ops;
    case T::tags: return set_ops || lists || op == Op::contains || op == Op::not_contains;
    case T::consent: return op == Op::eq || op == Op::ne || lists;
  }
  (void)text_ops;
  return false;
}

}  // namespace crmkit::segments
