// Printing and parsing of every public enumeration, each a one-liner over its table in
// base/enums.hpp.
#include "base/enums.hpp"

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace detail {

void throw_not_one_of(const char* field, std::string_view text, const std::string& names) {
  throw Error(Errc::invalid_argument, fmt::format("{} '{}' is not one of {}", field, printable(text), names));
}

bool same_name(std::string_view text, const char* name, NameCase how) noexcept {
  std::size_t i = 0;
  for (; i < text.size() && name[i]; ++i) {
    char c = text[i];
    if (how == NameCase::ignore_ascii && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return i == text.size() && !name[i];
}

}  // namespace detail

using detail::enum_name;
using detail::parse_enum;

const char* to_string(CustomerKind k) noexcept { return enum_name(detail::kCustomerKindNames, k); }
const char* to_string(LifecycleStage s) noexcept { return enum_name(detail::kLifecycleStageNames, s); }
const char* to_string(CustomerFieldType t) noexcept { return enum_name(detail::kCustomerFieldTypeNames, t); }
const char* to_string(ChurnRule r) noexcept { return enum_name(detail::kChurnRuleNames, r); }
CustomerKind parse_customer_kind(const std::string& t, const char* f) {
  return parse_enum(detail::kCustomerKindNames, t, f);
}
LifecycleStage parse_lifecycle_stage(const std::string& t, const char* f) {
  return parse_enum(detail::kLifecycleStageNames, t, f);
}
ChurnRule parse_churn_rule(const std::string& t, const char* f) { return parse_enum(detail::kChurnRuleNames, t, f); }

const char* to_string(ConsentChannel c) noexcept { return enum_name(detail::kConsentChannelNames, c); }
const char* to_string(LawfulBasis b) noexcept { return enum_name(detail::kLawfulBasisNames, b); }
const char* to_string(ConsentAction a) noexcept { return enum_name(detail::kConsentActionNames, a); }
const char* to_string(ConsentState s) noexcept { return enum_name(detail::kConsentStateNames, s); }
const char* to_string(SuppressionReason r) noexcept { return enum_name(detail::kSuppressionReasonNames, r); }
ConsentChannel parse_consent_channel(const std::string& t, const char* f) {
  return parse_enum(detail::kConsentChannelNames, t, f);
}
LawfulBasis parse_lawful_basis(const std::string& t, const char* f) { return parse_enum(detail::kLawfulBasisNames, t, f); }
ConsentAction parse_consent_action(const std::string& t, const char* f) {
  return parse_enum(detail::kConsentActionNames, t, f);
}
ConsentState parse_consent_state(const std::string& t, const char* f) {
  return parse_enum(detail::kConsentStateNames, t, f);
}
SuppressionReason parse_suppression_reason(const std::string& t, const char* f) {
  return parse_enum(detail::kSuppressionReasonNames, t, f);
}

const char* to_string(Channel c) noexcept { return enum_name(detail::kChannelNames, c); }
const char* to_string(InteractionKind k) noexcept { return enum_name(detail::kInteractionKindNames, k); }
const char* to_string(Direction d) noexcept { return enum_name(detail::kDirectionNames, d); }
Channel parse_channel(const std::string& t, const char* f) { return parse_enum(detail::kChannelNames, t, f, detail::NameCase::ignore_ascii); }
InteractionKind parse_interaction_kind(const std::string& t, const char* f) {
  return parse_enum(detail::kInteractionKindNames, t, f, detail::NameCase::ignore_ascii);
}
Direction parse_direction(const std::string& t, const char* f) { return parse_enum(detail::kDirectionNames, t, f, detail::NameCase::ignore_ascii); }

const char* to_string(PointsKind k) noexcept { return enum_name(detail::kPointsKindNames, k); }
const char* to_string(Consumption c) noexcept { return enum_name(detail::kConsumptionNames, c); }
const char* to_string(RefundPolicy p) noexcept { return enum_name(detail::kRefundPolicyNames, p); }
const char* to_string(TierMetric m) noexcept { return enum_name(detail::kTierMetricNames, m); }
PointsKind parse_points_kind(const std::string& t, const char* f) { return parse_enum(detail::kPointsKindNames, t, f); }
Consumption parse_consumption(const std::string& t, const char* f) {
  return parse_enum(detail::kConsumptionNames, t, f);
}
RefundPolicy parse_refund_policy(const std::string& t, const char* f) {
  return parse_enum(detail::kRefundPolicyNames, t, f);
}
TierMetric parse_tier_metric(const std::string& t, const char* f) { return parse_enum(detail::kTierMetricNames, t, f); }

const char* to_string(ActivityRule r) noexcept { return enum_name(detail::kActivityRuleNames, r); }
const char* to_string(OrderUnit u) noexcept { return enum_name(detail::kOrderUnitNames, u); }
const char* to_string(RevenueBasis b) noexcept { return enum_name(detail::kRevenueBasisNames, b); }
const char* to_string(CohortPeriod p) noexcept { return enum_name(detail::kCohortPeriodNames, p); }
ActivityRule parse_activity_rule(const std::string& t, const char* f) {
  return parse_enum(detail::kActivityRuleNames, t, f);
}
OrderUnit parse_order_unit(const std::string& t, const char* f) { return parse_enum(detail::kOrderUnitNames, t, f); }
RevenueBasis parse_revenue_basis(const std::string& t, const char* f) {
  return parse_enum(detail::kRevenueBasisNames, t, f);
}
CohortPeriod parse_cohort_period(const std::string& t, const char* f) {
  return parse_enum(detail::kCohortPeriodNames, t, f);
}

const char* to_string(SurveyKind k) noexcept { return enum_name(detail::kSurveyKindNames, k); }
const char* to_string(ScaleDirection d) noexcept { return enum_name(detail::kScaleDirectionNames, d); }
const char* to_string(MetricGrouping g) noexcept { return enum_name(detail::kMetricGroupingNames, g); }
SurveyKind parse_survey_kind(const std::string& t, const char* f) { return parse_enum(detail::kSurveyKindNames, t, f); }
ScaleDirection parse_scale_direction(const std::string& t, const char* f) {
  return parse_enum(detail::kScaleDirectionNames, t, f);
}
MetricGrouping parse_metric_grouping(const std::string& t, const char* f) {
  return parse_enum(detail::kMetricGroupingNames, t, f);
}

const char* to_string(RfmMethod m) noexcept { return enum_name(detail::kRfmMethodNames, m); }
const char* to_string(RfmFrequency fr) noexcept { return enum_name(detail::kRfmFrequencyNames, fr); }
RfmMethod parse_rfm_method(const std::string& t, const char* f) { return parse_enum(detail::kRfmMethodNames, t, f); }
RfmFrequency parse_rfm_frequency(const std::string& t, const char* f) {
  return parse_enum(detail::kRfmFrequencyNames, t, f);
}

const char* to_string(SegmentKind k) noexcept { return enum_name(detail::kSegmentKindNames, k); }
SegmentKind parse_segment_kind(const std::string& t, const char* f) {
  return parse_enum(detail::kSegmentKindNames, t, f);
}

namespace clv {
const char* to_string(TimeUnit u) noexcept { return enum_name(detail::kTimeUnitNames, u); }
const char* to_string(PurchaseModelKind k) noexcept { return enum_name(detail::kPurchaseModelKindNames, k); }
TimeUnit parse_time_unit(const std::string& t, const char* f) { return parse_enum(detail::kTimeUnitNames, t, f); }
PurchaseModelKind parse_purchase_model_kind(const std::string& t, const char* f) {
  return parse_enum(detail::kPurchaseModelKindNames, t, f);
}
}  // namespace clv

const char* to_string(ValueModelKind k) noexcept { return enum_name(detail::kValueModelKindNames, k); }
const char* to_string(HorizonUnit u) noexcept { return enum_name(detail::kHorizonUnitNames, u); }
ValueModelKind parse_value_model_kind(const std::string& t, const char* f) {
  return parse_enum(detail::kValueModelKindNames, t, f);
}
clv::TimeUnit parse_model_time_unit(const std::string& t, const char* f) {
  return parse_enum(detail::kModelTimeUnitNames, t, f);
}
HorizonUnit parse_horizon_unit(const std::string& t, const char* f) {
  return parse_enum(detail::kHorizonUnitNames, t, f);
}

ExportKind parse_export_kind(const std::string& t, const char* f) { return parse_enum(detail::kExportKindNames, t, f); }
ExportFormat parse_export_format(const std::string& t, const char* f) {
  return parse_enum(detail::kExportFormatNames, t, f);
}

}  // namespace crmkit
