// The report as one self-contained HTML page: inline CSS and SVG charts, nothing fetched (a
// Content-Security-Policy that allows no source says so to the browser), so it works offline
// and as a mail attachment. Every chart aggregates (bars, cells, lines over months): the page's
// size follows months, segments and cohorts, never customers.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkit/error.hpp"
#include "crmkit/plot.hpp"
#include "crmkit/time.hpp"
#include "plots/charts.hpp"
#include "plots/svg.hpp"
#include "sections.hpp"

namespace crmkit::reports {

namespace {

std::string esc(const std::string& text) { return plots::escaped(text); }

std::string date_of(Instant t) { return format_date(day_of(t)); }
// The last day a half-open window [from, to) covers.
std::string last_day_of(Instant to) { return date_of(to - 1); }

std::string grouped(std::int64_t v) {
  const std::string text = std::to_string(v);
  const std::size_t sign = v < 0 ? 1 : 0, digits = text.size() - sign;
  std::string out = text.substr(0, sign);
  for (std::size_t i = 0; i < digits; ++i) {
    if (i > 0 && (digits - i) % 3 == 0) out += ',';
    out += text[sign + i];
  }
  return out;
}

std::string share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

std::string opt_fixed(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

// A chart's number from an exact decimal: charts are pictures, the tables beside them keep the
// exact amounts.
double chart_number(const std::string& decimal) { return std::strtod(decimal.c_str(), nullptr); }

struct Table {
  std::vector<std::string> header;
  std::string align;  // 'l' or 'r' per column
  std::vector<std::vector<std::string>> rows;
  void render(std::string& out) const {
    out += "<table><thead><tr>";
    for (std::size_t c = 0; c < header.size(); ++c)
      out += fmt::format("<th class=\"{}\">{}</th>", align[c] == 'r' ? "num" : "txt", esc(header[c]));
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
      out += "<tr>";
      for (std::size_t c = 0; c < row.size(); ++c)
        out += fmt::format("<td class=\"{}\">{}</td>", align[c] == 'r' ? "num" : "txt", esc(row[c]));
      out += "</tr>";
    }
    out += "</tbody></table>\n";
  }
};

void paragraph(std::string& out, const std::string& text, const char* css = "def") {
  out += fmt::format("<p class=\"{}\">{}</p>\n", css, esc(text));
}

// A chart in a figure. A chart the plots refuse (a label they cannot draw) is named in its
// place instead of failing the whole report.
template <class Draw>
void figure(std::string& out, const std::string& caption, Draw&& draw) {
  std::string svg;
  try {
    svg = draw();
  } catch (const Error& e) {
    out += fmt::format("<figure class=\"chart missing\"><p>chart not drawn: {}</p><figcaption>{}</figcaption></figure>\n",
                       esc(e.what()), esc(caption));
    return;
  }
  out += "<figure class=\"chart\">" + svg + "<figcaption>" + esc(caption) + "</figcaption></figure>\n";
}

void section_start(std::string& out, const char* key, const std::string& title) {
  out += fmt::format("<section id=\"{}\"><h2>{}</h2>\n", key, esc(title));
}

plots::Size chart_size(std::size_t bars) {
  return {720, static_cast<int>(std::min<std::size_t>(160 + 26 * bars, 1200))};
}

}  // namespace

void overview_html(const Report& r, std::string& out) {
  const ReportOverview& o = r.overview;
  section_start(out, "overview", "Overview");
  paragraph(out, fmt::format("Facts recorded before {} (UTC). Money is never added across currencies.",
                             format_instant(r.as_of)));
  Table t{{"figure", "value", "definition"}, "lrl", {}};
  t.rows.push_back({"customers", grouped(o.customers), "customers created before the report's instant"});
  t.rows.push_back({"interactions", grouped(o.interactions), "every recorded interaction before it"});
  t.rows.push_back({"purchases", grouped(o.purchases), "interactions of kind purchase"});
  t.rows.push_back({"refunds", grouped(o.refunds), "interactions of kind refund"});
  for (std::size_t i = 0; i < o.revenue.size(); ++i) {
    const std::string& c = o.revenue[i].currency;
    t.rows.push_back({"revenue (" + c + ")", o.revenue[i].amount, "sum of purchase amounts, major units"});
    if (i < o.refunded.size()) t.rows.push_back({"refunded (" + c + ")", o.refunded[i].amount, "sum of refund amounts"});
    if (i < o.net.size()) t.rows.push_back({"net (" + c + ")", o.net[i].amount, "revenue plus refunds"});
  }
  t.render(out);
  if (o.customers > 0 && !o.by_stage.empty()) {
    figure(out, "Customers per lifecycle stage (count), as the stages stand now.", [&] {
      std::vector<plots::Bar> bars;
      for (const auto& s : o.by_stage) bars.push_back({s.name, static_cast<double>(s.customers)});
      return plots::horizontal_bars(bars, {"Customers by lifecycle stage", "customers (count)", "", ""},
                                    chart_size(bars.size()));
    });
  }
  if (o.customers > 0 && !o.by_country.empty()) {
    figure(out, "Customers per country (count), the twelve largest.", [&] {
      std::vector<plots::Bar> bars;
      for (const auto& c : o.by_country) {
        if (bars.size() == 12) break;
        bars.push_back({c.name, static_cast<double>(c.customers)});
      }
      return plots::horizontal_bars(bars, {"Customers by country", "customers (count)", "", ""}, chart_size(bars.size()));
    });
  }
  if (!o.by_channel_kind.empty()) {
    figure(out, fmt::format("Interactions before {} per channel (rows) and kind (columns), count.", date_of(r.as_of)),
           [&] {
             plots::HeatmapData h;
             for (const auto& ck : o.by_channel_kind) {
               if (std::find(h.row_labels.begin(), h.row_labels.end(), ck.channel) == h.row_labels.end())
                 h.row_labels.push_back(ck.channel);
               if (std::find(h.column_labels.begin(), h.column_labels.end(), ck.kind) == h.column_labels.end())
                 h.column_labels.push_back(ck.kind);
             }
             h.values.assign(h.row_labels.size() * h.column_labels.size(), std::nullopt);
             for (const auto& ck : o.by_channel_kind) {
               const auto row = std::find(h.row_labels.begin(), h.row_labels.end(), ck.channel) - h.row_labels.begin();
               const auto col =
                   std::find(h.column_labels.begin(), h.column_labels.end(), ck.kind) - h.column_labels.begin();
               h.values[static_cast<std::size_t>(row) * h.column_labels.size() + static_cast<std::size_t>(col)] =
                   static_cast<double>(ck.interactions);
             }
             h.decimals = 0;
             h.legend_label = "interactions (count)";
             h.missing_text = "none";
             h.row_name = "channel";
             h.column_name = "kind";
             return plots::heatmap(h, {"Interactions by channel and kind", "kind", "channel", ""},
                                   {720, static_cast<int>(std::min<std::size_t>(200 + 40 * h.row_labels.size(), 1200))});
           });
  }
  out += "</section>\n";
}

void revenue_by_month_html(const Report& r, std::string& out) {
  section_start(out, "revenue_by_month", "Revenue by month");
  paragraph(out, "Purchases and their amounts per calendar month (UTC), per currency; revenue in major units.");
  if (r.revenue_by_month.empty()) {
    paragraph(out, "No purchases before the report's instant.", "empty");
    out += "</section>\n";
    return;
  }
  std::vector<plots::Series> series;
  std::string first_month = r.revenue_by_month.front().month;
  for (const auto& m : r.revenue_by_month) first_month = std::min(first_month, m.month);
  auto month_index = [&](const std::string& ym) {
    const int y0 = std::stoi(first_month.substr(0, 4)), m0 = std::stoi(first_month.substr(5, 2));
    return (std::stoi(ym.substr(0, 4)) - y0) * 12 + (std::stoi(ym.substr(5, 2)) - m0);
  };
  for (const auto& m : r.revenue_by_month) {
    if (series.empty() || series.back().name != m.currency) series.push_back({m.currency, {}, {}, false});
    series.back().x.push_back(month_index(m.month));
    series.back().y.push_back(chart_number(m.revenue));
  }
  figure(out,
         fmt::format("Revenue per month in each currency (major units), months counted from {} (month 0).",
                     first_month),
         [&] {
           plots::LineOptions lo;
           lo.dots = true;
           return plots::lines(series, {"Revenue by month", "months since " + first_month, "revenue (major units)", ""},
                               {720, 440}, lo);
         });
  Table t{{"month", "currency", "purchases", "revenue"}, "llrr", {}};
  for (const auto& m : r.revenue_by_month) t.rows.push_back({m.month, m.currency, grouped(m.purchases), m.revenue});
  t.render(out);
  out += "</section>\n";
}

void top_customers_html(const Report& r, std::string& out) {
  section_start(out, "top_customers", "Top customers");
  paragraph(out, "Customers by the sum of their purchases before the report's instant, per currency.");
  if (r.top_customers.empty()) paragraph(out, "No purchases.", "empty");
  else {
    Table t{{"currency", "rank", "customer", "external id", "name", "revenue"}, "lrrllr", {}};
    for (const auto& c : r.top_customers)
      t.rows.push_back({c.currency, std::to_string(c.rank), std::to_string(c.customer_id), c.external_id,
                        c.display_name, c.revenue});
    t.render(out);
  }
  out += "</section>\n";
}

void value_html(const Report& r, std::string& out) {
  const ReportValue& v = r.value;
  section_start(out, "value", "Customer value");
  if (!v.scored) {
    paragraph(out, "No scoring run is saved (crmkit clv score).", "empty");
    out += "</section>\n";
    return;
  }
  paragraph(out, fmt::format("Predicted CLV: the {} {} horizon from {}, models {} (purchases) and {} (spend), "
                             "discounted at {:.2f}% a month, in {} (major units).",
                             fmt::format("{:g}", v.horizon), v.horizon_unit, format_instant(v.scored_at),
                             v.transaction_model, v.spend_model.empty() ? "none" : v.spend_model,
                             100 * v.monthly_discount_rate, v.currency));
  Table t{{"figure", "value"}, "lr", {}};
  t.rows.push_back({"customers with a prediction", grouped(v.customers)});
  t.rows.push_back({"scored without a prediction (no purchase in " + v.currency + ")", grouped(v.unscored)});
  t.rows.push_back({"predicted CLV, total (" + v.currency + ")", fmt::format("{:.2f}", v.total)});
  for (const auto& [name, q] : v.quantiles) t.rows.push_back({"predicted CLV, " + name, fmt::format("{:.2f}", q)});
  t.render(out);
  if (!v.quantiles.empty()) {
    figure(out, "Quantiles of the predicted CLV over customers with a prediction: p10 = a tenth predict less.", [&] {
      std::vector<plots::Bar> bars;
      for (const auto& [name, q] : v.quantiles) bars.push_back({name, q});
      return plots::horizontal_bars(bars, {"Predicted CLV distribution", "predicted CLV (" + v.currency + ")", "", ""},
                                    chart_size(bars.size()), 2);
    });
  }
  out += "</section>\n";
}

void at_risk_html(const Report& r, std::string& out) {
  section_start(out, "at_risk", "Most at risk");
  paragraph(out, fmt::format("Customers with P(alive) in [{}, {}), by value at risk = past spend x (1 - P(alive)), in "
                             "the scoring currency.",
                             r.options.lost_floor, r.options.at_risk_below));
  if (r.at_risk.empty()) paragraph(out, "None (or no scoring run saved).", "empty");
  else {
    Table t{{"customer", "external id", "past spend", "P(alive)", "predicted CLV", "value at risk"}, "rlrrrr", {}};
    for (const auto& a : r.at_risk)
      t.rows.push_back({std::to_string(a.customer_id), a.external_id, a.past_spend, fmt::format("{:.3f}", a.p_alive),
                        fmt::format("{:.2f}", a.predicted_clv), fmt::format("{:.2f}", a.value_at_risk)});
    t.render(out);
  }
  out += "</section>\n";
}

void segments_html(const Report& r, std::string& out) {
  section_start(out, "segments", "Segments");
  paragraph(out, "Members of each saved segment as last refreshed (dynamic segments are evaluated when asked).");
  if (r.segments.empty()) {
    paragraph(out, "No segment is saved.", "empty");
    out += "</section>\n";
    return;
  }
  Table t{{"segment", "kind", "rule version", "members", "refreshed"}, "llrrl", {}};
  for (const auto& s : r.segments)
    t.rows.push_back({s.name, s.kind, std::to_string(s.rule_version), grouped(s.members),
                      s.refreshed_at ? format_instant(*s.refreshed_at) : "-"});
  t.render(out);
  figure(out, "Members per segment (count).", [&] {
    std::vector<plots::Bar> bars;
    for (const auto& s : r.segments) bars.push_back({s.name, static_cast<double>(s.members)});
    return plots::horizontal_bars(bars, {"Segment members", "members (count)", "", ""}, chart_size(bars.size()));
  });
  out += "</section>\n";
}

void rfm_html(const Report& r, std::string& out) {
  const ReportRfm& f = r.rfm;
  section_start(out, "rfm", "RFM segments");
  if (!f.assigned) {
    paragraph(out, "No RFM assignment is saved (crmkit rfm).", "empty");
    out += "</section>\n";
    return;
  }
  paragraph(out, fmt::format("As of {}, map {} v{}; orders = the F measure summed (purchases or purchase days, every "
                             "currency); revenue = purchases in {} only.",
                             last_day_of(f.as_of), f.map_name, f.map_version, f.currency));
  std::int64_t customers = 0;
  for (const auto& s : f.segments) customers += s.customers;
  Table t{{"segment", "customers", "share", "orders", "revenue (" + f.currency + ")"}, "lrrrr", {}};
  for (const auto& s : f.segments)
    t.rows.push_back({s.segment, grouped(s.customers), share(s.customers, customers), grouped(s.orders), s.revenue});
  t.render(out);
  if (!f.segments.empty()) {
    figure(out, fmt::format("Customers per RFM segment (count), as of {}.", last_day_of(f.as_of)), [&] {
      std::vector<plots::Bar> bars;
      for (const auto& s : f.segments) bars.push_back({s.segment, static_cast<double>(s.customers)});
      return plots::horizontal_bars(bars, {"RFM segments", "customers (count)", "", ""}, chart_size(bars.size()));
    });
  }
  out += "</section>\n";
}

void loyalty_html(const Report& r, std::string& out) {
  const ReportLoyalty& l = r.loyalty;
  section_start(out, "loyalty", "Loyalty");
  paragraph(out, fmt::format("NPS by month, responses from {} to {}; NPS = % promoters (9-10) - % detractors (0-6).",
                             date_of(l.nps_from), last_day_of(l.nps_to)));
  if (l.nps.groups.empty()) paragraph(out, "No NPS responses in that window.", "empty");
  else {
    Table t{{"month", "responses", "promoters", "passives", "detractors", "NPS"}, "lrrrrr", {}};
    for (const auto& g : l.nps.groups)
      t.rows.push_back({g.group, grouped(g.responses), grouped(g.promoters), grouped(g.passives), grouped(g.detractors),
                        opt_fixed(g.nps, 1)});
    t.render(out);
  }
  const RetentionResult& ret = l.retention;
  paragraph(out, fmt::format("Retention over {} .. {} (active = a purchase in the previous {} days).",
                             date_of(l.retention_from), last_day_of(l.retention_to), ret.active_days));
  Table rt{{"figure", "value", "definition"}, "lrl", {}};
  rt.rows.push_back({"active at start (S)", grouped(ret.active_at_start), "customers active on the first day"});
  rt.rows.push_back({"active at end (E)", grouped(ret.active_at_end), "customers active on the last day"});
  rt.rows.push_back({"new (N)", grouped(ret.new_customers), "first purchase ever in the window"});
  rt.rows.push_back({"retention rate", opt_fixed(ret.retention_rate, 3), "share of S still active at the end"});
  rt.rows.push_back({"classic rate", opt_fixed(ret.classic_retention_rate, 3), "(E - N) / S, the widely quoted form"});
  rt.render(out);
  if (!l.has_cohorts || l.cohorts.rows.empty()) {
    paragraph(out, "No monthly cohort before the report's instant.", "empty");
  } else {
    figure(out,
           fmt::format("Monthly cohorts {} .. {} by month of first purchase: the share of each cohort buying again "
                       "in month k after it.",
                       date_of(l.cohorts_from).substr(0, 7), last_day_of(l.cohorts_to).substr(0, 7)),
           [&] {
             plot::Options po;
             po.height = static_cast<int>(std::min<std::size_t>(200 + 28 * l.cohorts.rows.size(), 4000));
             return plot::cohort_retention(l.cohorts, po);
           });
  }
  out += "</section>\n";
}

void points_html(const Report& r, std::string& out) {
  section_start(out, "points", "Loyalty points");
  paragraph(out, "Points outstanding as of the report, per programme; liability = their value in its currency.");
  if (r.points.empty()) {
    paragraph(out, "No programme.", "empty");
    out += "</section>\n";
    return;
  }
  for (const auto& g : r.points) {
    auto points = [](PointsSum v) { return fmt::format("{}", v); };
    Table t{{"programme", "members", "outstanding", "available", "pending", "debt", "liability"}, "lrrrrrr", {}};
    t.rows.push_back({g.programme, grouped(g.members), points(g.outstanding), points(g.available), points(g.pending),
                      points(g.debt), g.liability ? *g.liability + " " + g.currency : "-"});
    t.render(out);
    if (!g.tiers.empty()) {
      figure(out, "Members per tier of " + g.programme + " (count).", [&] {
        std::vector<plots::Bar> bars;
        for (const auto& tier : g.tiers) bars.push_back({tier.name, static_cast<double>(tier.customers)});
        return plots::horizontal_bars(bars, {g.programme + ": members by tier", "members (count)", "", ""},
                                      chart_size(bars.size()));
      });
    }
  }
  out += "</section>\n";
}

void identity_html(const Report& r, std::string& out) {
  const ReportIdentity& id = r.identity;
  section_start(out, "identity", "Identity and privacy");
  paragraph(out, "Contact points created before the report's instant, by type; several = customers with more than one.");
  Table points{{"type", "points", "customers", "several"}, "lrrr", {}};
  for (const auto& t : id.contact_points)
    points.rows.push_back({t.type, grouped(t.points), grouped(t.customers), grouped(t.customers_with_several)});
  points.render(out);
  paragraph(out, "Consent at the report's instant: customers in each state the ledger decides, per channel and purpose.");
  if (id.consent.empty()) {
    paragraph(out, "No consent event before the report's instant.", "empty");
  } else {
    Table consent{{"purpose", "channel", "state", "customers"}, "lllr", {}};
    for (const auto& c : id.consent) consent.rows.push_back({c.purpose, c.channel, c.state, grouped(c.customers)});
    consent.render(out);
  }
  Table trust{{"figure", "value", "definition"}, "lrl", {}};
  trust.rows.push_back({"suppressed emails and phones", grouped(id.suppressions), "kept as salted hashes, never re-added"});
  trust.rows.push_back({"audit entries", grouped(id.audit_entries), "the whole trail as stored"});
  trust.rows.push_back({"audit chaining", id.audit_chained ? "on" : "off",
                        grouped(id.audit_chained_entries) + " entries carry a chain hash (verify: crmkit audit verify)"});
  trust.render(out);
  out += "</section>\n";
}

}  // namespace crmkit::reports

namespace crmkit {

std::string to_html(const Report& report) {
  std::string out;
  out.reserve(64 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      // Nothing may be fetched: styles and charts are inline, and the policy says so.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>crmkit report as of " + reports::esc(format_instant(report.as_of)) + "</title>\n";
  out +=
      "<style>\n"
      "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;background:#f6f7f9;"
      "margin:0}\n"
      "header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}"
      "header p{margin:4px 0 0;color:#c9d1e0}\n"
      "nav{padding:8px 32px;background:#e9ecf2}nav a{margin-right:14px;color:#24457a;text-decoration:none}\n"
      "main{padding:8px 32px 40px;max-width:1100px}\n"
      "section{background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:4px 20px 16px;margin:18px 0}\n"
      "h2{font-size:18px;margin:14px 0 6px}p.def{color:#4a5366;margin:4px 0 10px}p.empty{color:#7a8396;"
      "font-style:italic}\n"
      "table{border-collapse:collapse;margin:8px 0 14px;font-variant-numeric:tabular-nums}"
      "th,td{padding:3px 10px;border-bottom:1px solid #eceff4}th{background:#f1f3f7;font-weight:600}"
      ".num{text-align:right}.txt{text-align:left}\n"
      "figure{margin:12px 0}figure svg{max-width:100%;height:auto;display:block}"
      "figcaption{color:#4a5366;font-size:13px;margin-top:4px}figure.missing p{color:#9b2c2c}\n"
      "</style></head><body>\n";
  out += "<header><h1>crmkit report</h1><p>" + reports::esc(report.database) + " &middot; facts before " +
         reports::esc(format_instant(report.as_of)) + " (UTC)</p></header>\n<nav>";
  for (const auto& s : reports::report_sections())
    out += fmt::format("<a href=\"#{}\">{}</a>", s.key, s.key);
  out += "</nav>\n<main>\n";
  for (const auto& s : reports::report_sections()) s.html(report, out);
  out += "</main></body></html>\n";
  return out;
}

}  // namespace crmkit
