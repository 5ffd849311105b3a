// The store's report: every figure that spans areas (customers, revenue, value, segments,
// loyalty, points) in one read, as plain structs or as JSON. docs/REPORT.md defines each figure.
//
// Each section reads kept figures: per customer (customer_figures, customer_money,
// customer_scores, customer_rfm, segment and points tables) or per month, kind, channel and
// currency (interaction_months), so its cost grows with the number of customers and months, not
// interactions. An as_of inside the history also reads the interactions of the month it cuts
// and, for per-customer money, those at or after it. The loyalty section's retention and
// cohorts are the loyalty metrics' own reads (they still step through the purchases).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/points.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/store.hpp"
#include "crmkit/survey.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

struct ReportOptions {
  // Facts strictly before as_of are counted. Default: the end of the last day with a fact.
  std::optional<Instant> as_of;
  // Rows in "top customers" and "most at risk"; 0 = every customer.
  int top = 10;
  // Most at risk: P(alive) below at_risk_below and at least lost_floor (customers under the
  // floor are taken as already lost, not at risk), ranked by value at risk.
  double at_risk_below = 0.5;
  double lost_floor = 0.05;
  // Only this currency's money figures (default: every currency, each apart).
  std::optional<std::string> currency;
  // Cohort columns (months after the first purchase) and how many monthly cohorts to show.
  int cohort_periods = 7;
  int cohort_months = 12;
};

// An exact amount: a sum across customers can pass int64 minor units, so it is kept as the
// exact decimal text in major units ("1234.50"), with its currency.
struct ReportAmount {
  std::string currency;
  std::string amount;
};

struct ReportCount {
  std::string name;
  std::int64_t customers = 0;
};

struct ReportOverview {
  std::int64_t customers = 0;     // created before as_of
  std::int64_t interactions = 0;
  std::int64_t purchases = 0;
  std::int64_t refunds = 0;
  std::vector<ReportAmount> revenue, refunded, net;  // by currency, ascending code
  std::vector<ReportCount> by_stage;    // lifecycle order
  std::vector<ReportCount> by_country;  // most customers first; "(unknown)" without a country
  struct ChannelKind {
    std::string channel, kind;
    std::int64_t interactions = 0;
  };
  std::vector<ChannelKind> by_channel_kind;  // interactions before as_of, by channel then kind
};

struct ReportMonth {
  std::string currency;
  std::string month;  // "YYYY-MM"
  std::int64_t purchases = 0;
  std::string revenue;  // exact decimal, major units
};

struct ReportTopCustomer {
  std::string currency;
  int rank = 0;
  std::int64_t customer_id = 0;
  std::string external_id, display_name;
  std::string revenue;  // purchases, exact decimal
};

struct ReportValue {
  bool scored = false;
  Instant scored_at = 0;
  std::int64_t transaction_model_id = 0, spend_model_id = 0;
  std::string transaction_model, spend_model;  // kinds: "bgnbd", "gg", ...
  double horizon = 0;
  std::string horizon_unit;
  double monthly_discount_rate = 0;
  std::string currency;           // every CLV is in this currency
  std::int64_t customers = 0;     // with a predicted CLV (a purchase in `currency`)
  std::int64_t unscored = 0;      // scored rows without a prediction (no purchase in currency)
  double total = 0;               // sum of predicted CLV, major units
  std::vector<std::pair<std::string, double>> quantiles;  // "p10" .. "max"
};

struct ReportAtRisk {
  std::int64_t customer_id = 0;
  std::string external_id;
  std::string past_spend;  // purchases in the score currency, exact decimal
  double p_alive = 0;
  double predicted_clv = 0;
  double value_at_risk = 0;  // past spend x (1 - P(alive)), major units
};

struct ReportSegment {
  std::string name, kind;
  int rule_version = 0;
  std::int64_t members = 0;
  std::optional<Instant> refreshed_at;
};

struct ReportRfmSegment {
  std::string segment;
  std::int64_t customers = 0;
  std::int64_t orders = 0;  // sum of the F measure (purchases or purchase days), every currency
  std::string revenue;      // purchases in the run's currency only, exact decimal
};

struct ReportRfm {
  bool assigned = false;
  Instant as_of = 0;
  std::string map_name;
  std::int64_t map_version = 0;
  std::string currency;
  std::vector<ReportRfmSegment> segments;  // most customers first
};

struct ReportLoyalty {
  // The loyalty metrics (docs/METRICS.md), for the windows below.
  Instant nps_from = 0, nps_to = 0;
  NpsTable nps;
  Instant retention_from = 0, retention_to = 0;
  RetentionResult retention;
  // Monthly cohorts: the newest cohort_months cohorts with a first purchase before as_of
  // (not the last months of the calendar, which may hold no first purchase at all).
  Instant cohorts_from = 0, cohorts_to = 0;
  bool has_cohorts = false;
  CohortMatrix cohorts;
};

struct ReportPoints {
  std::string programme, currency;
  std::int64_t members = 0;
  PointsSum outstanding = 0, available = 0, pending = 0, debt = 0;  // sums may pass int64
  std::optional<std::string> liability;  // value of the outstanding points, exact decimal
  std::vector<ReportCount> tiers;        // highest first, "(no tier)" last
};

// Identity and privacy: the contact points, consent and suppression kept, and the audit trail.
struct ReportIdentity {
  struct ContactTypeCount {
    std::string type;  // email, phone, address, url, social
    std::int64_t points = 0;
    std::int64_t customers = 0;               // customers with at least one
    std::int64_t customers_with_several = 0;  // customers with more than one
  };
  std::vector<ContactTypeCount> contact_points;  // points created before as_of, by type (enumeration order)
  struct ConsentCount {
    std::string channel, purpose, state;
    std::int64_t customers = 0;
  };
  std::vector<ConsentCount> consent;  // Consent::state_counts at as_of: by purpose, channel, state
  std::int64_t suppressions = 0;   // list entries made before as_of
  std::int64_t audit_entries = 0;  // the whole trail as stored (entries are dated by the caller)
  std::int64_t audit_chained_entries = 0;  // of them, those carrying a chain hash
  bool audit_chained = false;      // hash chaining is on (AuditTrail::start_chain)
};

struct Report {
  std::string database;
  Instant as_of = 0;
  ReportOptions options;
  ReportOverview overview;
  std::vector<ReportMonth> revenue_by_month;
  std::vector<ReportTopCustomer> top_customers;
  ReportValue value;
  std::vector<ReportAtRisk> at_risk;
  std::vector<ReportSegment> segments;
  ReportRfm rfm;
  ReportLoyalty loyalty;
  std::vector<ReportPoints> points;
  ReportIdentity identity;
};

// The end of the last day with a fact (an interaction or a customer's creation); 0 for an
// empty store. The as_of of every read whose caller gives none (the report, the command line).
Instant default_as_of(Store& store);

// Reads the report. Throws Error(invalid_argument) for bad options (naming the option).
Report build_report(Store& store, const ReportOptions& options = {});

// The section keys in report order (the JSON members after "database" and "as_of").
std::vector<std::string> report_section_keys();

// The report as one JSON object: sections in report order, instants as ISO-8601 UTC text,
// money as {"currency": "EUR", "amount": "12.34"} with the amount as exact decimal text.
std::string to_json(const Report& report);

// The report as one self-contained HTML page (UTF-8): every section in report order with its
// tables and SVG charts, inline CSS, nothing fetched (its Content-Security-Policy allows no
// source), so it opens offline and as a mail attachment. Charts aggregate: the page's size grows
// with months, segments and cohorts, not customers. docs/REPORT.md describes each chart.
std::string to_html(const Report& report);

}  // namespace crmkit
