// The cohort retention heatmap.
#include <cmath>

#include "crmkit/error.hpp"
#include "crmkit/plot.hpp"
#include "plots/charts.hpp"
#include "plots/checks.hpp"

namespace crmkit::plot {

using namespace crmkit::plots;

std::string cohort_retention(const CohortMatrix& matrix, const Options& options) {
  auto refuse = [](const std::string& m) { throw Error(Errc::invalid_argument, m); };
  if (matrix.rows.empty()) refuse("the cohort matrix has no cohorts");
  if (matrix.periods < 1 || matrix.periods > 400)
    refuse("periods " + std::to_string(matrix.periods) + " is outside 1..400");
  if (matrix.rows.size() > 400)
    refuse("the cohort matrix has " + std::to_string(matrix.rows.size()) + " cohorts; at most 400 are drawn");
  const Size size = checked_size(options);
  HeatmapData d;
  std::int64_t customers = 0;
  for (int k = 0; k < matrix.periods; ++k) d.column_labels.push_back(std::to_string(k));
  for (std::size_t i = 0; i < matrix.rows.size(); ++i) {
    const CohortRow& row = matrix.rows[i];
    const std::string at = "rows[" + std::to_string(i) + "]";
    check_label(at + ".cohort", row.cohort);
    if (row.size < 0) refuse(at + ".size " + std::to_string(row.size) + " is negative");
    if (row.retention.size() != static_cast<std::size_t>(matrix.periods))
      refuse(at + ".retention has " + std::to_string(row.retention.size()) + " values but periods is " +
             std::to_string(matrix.periods));
    d.row_labels.push_back(row.cohort + " (" + std::to_string(row.size) + ")");
    customers += row.size;
    for (std::size_t k = 0; k < row.retention.size(); ++k) {
      const auto& v = row.retention[k];
      if (v) {
        const std::string name = at + ".retention[" + std::to_string(k) + "]";
        check_finite(*v, name);
        if (*v < 0 || *v > 1) refuse(name + " = " + value_label(*v, 6) + " is outside 0..1");
      }
      d.values.push_back(v);
    }
  }
  d.percent = true;
  d.decimals = 0;
  d.scale_min = 0;
  d.scale_max = 1;
  d.legend_label = "retained";
  d.missing_text = "not yet observable";
  d.column_name = "k";
  const std::string period = to_string(matrix.by);
  ChartText text{
      title_or(options, "Cohort retention by " + period), period + "s since the first purchase (k)",
      "cohort: " + period + " of the first purchase (customers)",
      "Each cell: the share of the cohort's customers who purchased in " + period +
          " k after their first "
          "purchase's " +
          period + (matrix.unbounded ? " or later" : "") + "; " + std::to_string(matrix.rows.size()) +
          " cohorts, " + std::to_string(customers) +
          " customers. Column 0 is 100% by definition; grey "
          "cells had not started by the end of the data. Read down a column to compare cohorts at the "
          "same age."};
  text.caption = with_period(options, std::move(text.caption));
  return heatmap(d, text, size);
}

}  // namespace crmkit::plot
