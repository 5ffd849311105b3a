// Every enumeration of the public API and its names: the one source from which to_string,
// the parse_* functions (src/base/enums.cpp), the segment rule checker's lists and the schema
// test (tests/unit/enums_test.cpp) read. The names are what is stored and printed; changing
// one is a migration.
#pragma once

#include "base/enum_table.hpp"
#include "crmkit/audit.hpp"
#include "crmkit/clv.hpp"
#include "crmkit/consent.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/export.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/rfm.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/survey.hpp"
#include "crmkit/value.hpp"

namespace crmkit::detail {

inline constexpr EnumName<CustomerKind> kCustomerKindNames[] = {
    {CustomerKind::person, "person"}, {CustomerKind::organization, "organization"}};
inline constexpr EnumName<LifecycleStage> kLifecycleStageNames[] = {{LifecycleStage::lead, "lead"},
                                                                    {LifecycleStage::prospect, "prospect"},
                                                                    {LifecycleStage::customer, "customer"},
                                                                    {LifecycleStage::churned, "churned"}};
inline constexpr EnumName<CustomerFieldType> kCustomerFieldTypeNames[] = {
    {CustomerFieldType::integer, "integer"}, {CustomerFieldType::text, "text"},
    {CustomerFieldType::date, "date"},       {CustomerFieldType::choice, "choice"},
    {CustomerFieldType::money, "money"},     {CustomerFieldType::instant, "instant"},
    {CustomerFieldType::flag, "flag"},       {CustomerFieldType::json_object, "json_object"},
    {CustomerFieldType::tags, "tags"}};
inline constexpr EnumName<ChurnRule> kChurnRuleNames[] = {{ChurnRule::no_purchase, "no_purchase"},
                                                          {ChurnRule::p_alive, "p_alive"}};

inline constexpr EnumName<ContactType> kContactTypeNames[] = {{ContactType::email, "email"},
                                                              {ContactType::phone, "phone"},
                                                              {ContactType::address, "address"},
                                                              {ContactType::url, "url"},
                                                              {ContactType::social, "social"}};

inline constexpr EnumName<AuditEntity> kAuditEntityNames[] = {{AuditEntity::customer, "customer"},
                                                              {AuditEntity::contact_point, "contact_point"}};
inline constexpr EnumName<ConsentChannel> kConsentChannelNames[] = {
    {ConsentChannel::email, "email"}, {ConsentChannel::sms, "sms"},   {ConsentChannel::phone, "phone"},
    {ConsentChannel::post, "post"},   {ConsentChannel::push, "push"}, {ConsentChannel::all, "all"}};
inline constexpr EnumName<LawfulBasis> kLawfulBasisNames[] = {{LawfulBasis::consent, "consent"},
                                                              {LawfulBasis::contract, "contract"},
                                                              {LawfulBasis::legal_obligation, "legal_obligation"},
                                                              {LawfulBasis::vital_interest, "vital_interest"},
                                                              {LawfulBasis::public_interest, "public_interest"},
                                                              {LawfulBasis::legitimate_interest, "legitimate_interest"}};
inline constexpr EnumName<ConsentAction> kConsentActionNames[] = {
    {ConsentAction::grant, "grant"},
    {ConsentAction::withdraw, "withdraw"},
    {ConsentAction::request_double_opt_in, "request_double_opt_in"},
    {ConsentAction::confirm, "confirm"},
    {ConsentAction::expire, "expire"}};
inline constexpr EnumName<ConsentState> kConsentStateNames[] = {{ConsentState::none, "none"},
                                                                {ConsentState::granted, "granted"},
                                                                {ConsentState::pending, "pending"},
                                                                {ConsentState::withdrawn, "withdrawn"},
                                                                {ConsentState::expired, "expired"}};
inline constexpr EnumName<SuppressionReason> kSuppressionReasonNames[] = {{SuppressionReason::erased, "erased"},
                                                                          {SuppressionReason::bounced, "bounced"},
                                                                          {SuppressionReason::complaint, "complaint"},
                                                                          {SuppressionReason::manual, "manual"}};
// The contact types the suppression list keeps (a subset of the above; the schema allows these).
inline constexpr EnumName<ContactType> kSuppressionTypeNames[] = {{ContactType::email, "email"},
                                                                  {ContactType::phone, "phone"}};

inline constexpr EnumName<Channel> kChannelNames[] = {
    {Channel::email, "email"}, {Channel::phone, "phone"}, {Channel::chat, "chat"},   {Channel::sms, "sms"},
    {Channel::social, "social"}, {Channel::web, "web"},   {Channel::store, "store"}, {Channel::other, "other"}};
inline constexpr EnumName<InteractionKind> kInteractionKindNames[] = {
    {InteractionKind::purchase, "purchase"},       {InteractionKind::refund, "refund"},
    {InteractionKind::inquiry, "inquiry"},         {InteractionKind::complaint, "complaint"},
    {InteractionKind::support, "support"},         {InteractionKind::visit, "visit"},
    {InteractionKind::email_open, "email_open"},   {InteractionKind::email_click, "email_click"},
    {InteractionKind::meeting, "meeting"},         {InteractionKind::note, "note"},
    {InteractionKind::other, "other"}};
inline constexpr EnumName<Direction> kDirectionNames[] = {
    {Direction::inbound, "inbound"}, {Direction::outbound, "outbound"}, {Direction::none, "none"}};

inline constexpr EnumName<PointsKind> kPointsKindNames[] = {{PointsKind::earn, "earn"},
                                                            {PointsKind::redeem, "redeem"},
                                                            {PointsKind::expire, "expire"},
                                                            {PointsKind::reverse_earn, "reverse_earn"},
                                                            {PointsKind::reverse_redeem, "reverse_redeem"},
                                                            {PointsKind::adjust, "adjust"}};
inline constexpr EnumName<Consumption> kConsumptionNames[] = {{Consumption::fifo, "fifo"},
                                                              {Consumption::fefo, "fefo"}};
inline constexpr EnumName<RefundPolicy> kRefundPolicyNames[] = {{RefundPolicy::allow_negative, "allow_negative"},
                                                                {RefundPolicy::clamp_debt, "clamp_debt"},
                                                                {RefundPolicy::reject, "reject"}};
inline constexpr EnumName<TierMetric> kTierMetricNames[] = {
    {TierMetric::points, "points"}, {TierMetric::spend, "spend"}, {TierMetric::orders, "orders"}};

inline constexpr EnumName<ActivityRule> kActivityRuleNames[] = {{ActivityRule::recent_purchase, "recent_purchase"},
                                                                {ActivityRule::p_alive, "p_alive"}};
inline constexpr EnumName<OrderUnit> kOrderUnitNames[] = {{OrderUnit::purchase, "purchase"},
                                                          {OrderUnit::customer_day, "customer_day"}};
inline constexpr EnumName<RevenueBasis> kRevenueBasisNames[] = {{RevenueBasis::gross, "gross"},
                                                                {RevenueBasis::net, "net"}};
inline constexpr EnumName<CohortPeriod> kCohortPeriodNames[] = {{CohortPeriod::month, "month"},
                                                                {CohortPeriod::week, "week"}};

inline constexpr EnumName<SurveyKind> kSurveyKindNames[] = {
    {SurveyKind::nps, "nps"}, {SurveyKind::csat, "csat"}, {SurveyKind::ces, "ces"}, {SurveyKind::custom, "custom"}};
inline constexpr EnumName<ScaleDirection> kScaleDirectionNames[] = {
    {ScaleDirection::higher_is_better, "higher_is_better"}, {ScaleDirection::lower_is_better, "lower_is_better"}};
inline constexpr EnumName<MetricGrouping> kMetricGroupingNames[] = {{MetricGrouping::none, "none"},
                                                                    {MetricGrouping::month, "month"},
                                                                    {MetricGrouping::channel, "channel"},
                                                                    {MetricGrouping::segment, "segment"}};

inline constexpr EnumName<RfmMethod> kRfmMethodNames[] = {{RfmMethod::ntile, "ntile"},
                                                          {RfmMethod::quantile, "quantile"},
                                                          {RfmMethod::qcut, "qcut"},
                                                          {RfmMethod::custom, "custom"}};
inline constexpr EnumName<RfmFrequency> kRfmFrequencyNames[] = {{RfmFrequency::orders, "orders"},
                                                                {RfmFrequency::days, "days"}};

// The stored name of a hand-kept segment is "static" (`static` is a C++ keyword).
inline constexpr EnumName<SegmentKind> kSegmentKindNames[] = {{SegmentKind::dynamic, "dynamic"},
                                                              {SegmentKind::manual_static, "static"}};

inline constexpr EnumName<clv::TimeUnit> kTimeUnitNames[] = {{clv::TimeUnit::hour, "hour"},
                                                             {clv::TimeUnit::day, "day"},
                                                             {clv::TimeUnit::week, "week"},
                                                             {clv::TimeUnit::month, "month"}};
// The units a stored model may be fitted in (a subset of the above; the schema allows these).
inline constexpr EnumName<clv::TimeUnit> kModelTimeUnitNames[] = {{clv::TimeUnit::day, "day"},
                                                                  {clv::TimeUnit::week, "week"}};
inline constexpr EnumName<clv::PurchaseModelKind> kPurchaseModelKindNames[] = {
    {clv::PurchaseModelKind::bg_nbd, "bg_nbd"},
    {clv::PurchaseModelKind::mbg_nbd, "mbg_nbd"},
    {clv::PurchaseModelKind::pareto_nbd, "pareto_nbd"}};
inline constexpr EnumName<ValueModelKind> kValueModelKindNames[] = {{ValueModelKind::bgnbd, "bgnbd"},
                                                                    {ValueModelKind::pnbd, "pnbd"},
                                                                    {ValueModelKind::mbgnbd, "mbgnbd"},
                                                                    {ValueModelKind::gg, "gg"}};
inline constexpr EnumName<HorizonUnit> kHorizonUnitNames[] = {
    {HorizonUnit::day, "day"}, {HorizonUnit::week, "week"}, {HorizonUnit::month, "month"}};

inline constexpr EnumName<ExportKind> kExportKindNames[] = {
    {ExportKind::scores, "scores"}, {ExportKind::rfm, "rfm"}, {ExportKind::customers, "customers"}};
inline constexpr EnumName<ExportFormat> kExportFormatNames[] = {{ExportFormat::csv, "csv"},
                                                                {ExportFormat::json, "json"}};

}  // namespace crmkit::detail
