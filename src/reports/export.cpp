// Export: one SELECT per kind, stepped and written row by row, so memory stays flat.
#include "crmkit/export.hpp"

#include <nlohmann/json.hpp>

#include "crmkit/csv.hpp"
#include "crmkit/error.hpp"
#include "crmkit/time.hpp"
#include "store/connection.hpp"

namespace crmkit {
namespace {

// Columns whose name ends in "_at" or "as_of" hold instants; they go out as ISO text.
bool is_instant(const std::string& column) {
  auto ends_with = [&](const char* tail, std::size_t n) {
    return column.size() >= n && column.compare(column.size() - n, n, tail) == 0;
  };
  return ends_with("_at", 3) || ends_with("as_of", 5);
}

std::string sql_of(ExportKind kind, const detail::Dialect& dialect) {
  switch (kind) {
    case ExportKind::scores:
      return "SELECT s.customer_id, c.external_id, s.model_id, s.spend_model_id, s.scored_at, s.p_alive, "
             "s.expected_purchases, s.horizon, s.horizon_unit, s.predicted_clv, s.currency, s.expected_spend, "
             "s.repeat_purchases, s.discount_rate FROM customer_scores s JOIN customers c ON c.id = s.customer_id "
             "ORDER BY s.customer_id";
    case ExportKind::rfm:
      return "SELECT r.customer_id, c.external_id, run.as_of AS rfm_as_of, run.map_name, run.map_version, "
             "run.currency, r.last_purchase_at, r.frequency, r.monetary AS monetary_minor, r.r_score, r.f_score, "
             "r.m_score, r.rfm_score, r.segment FROM customer_rfm r JOIN customers c ON c.id = r.customer_id "
             "CROSS JOIN rfm_run run ORDER BY r.customer_id";
    case ExportKind::customers:
      return "SELECT c.id AS customer_id, c.external_id, c.kind, c.display_name, c.given_name, c.family_name, "
             "c.email, c.phone, c.birth_date, c.gender, c.country, c.region, c.city, c.postal_code, "
             "c.acquisition_channel, c.acquisition_cost AS acquisition_cost_minor, c.acquisition_currency, "
             "c.lifecycle_stage, c.lifecycle_manual, c.created_at, c.updated_at, c.erased_at, c.attributes, "
             + dialect.json_array_of("tag", "FROM customer_tags t WHERE t.customer_id = c.id") +
             " AS tags FROM customers c ORDER BY c.id";
  }
  throw Error(Errc::invalid_argument, "unknown export kind");
}

}  // namespace

std::int64_t export_rows(Store& store, ExportKind kind, ExportFormat format, std::ostream& out) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store);
    auto& st = c.prepare(sql_of(kind, c.dialect()));
    detail::StatementReset reset(st);
    const int columns = st.getColumnCount();
    std::vector<std::string> names;
    for (int i = 0; i < columns; ++i) names.emplace_back(st.getColumnName(i));
    if (format == ExportFormat::csv) {
      for (int i = 0; i < columns; ++i) out << (i ? "," : "") << names[static_cast<std::size_t>(i)];
      out << "\r\n";
    } else {
      out << "[";
    }
    std::int64_t rows = 0;
    while (st.executeStep()) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      std::string line;
      for (int i = 0; i < columns; ++i) {
        const std::string& name = names[static_cast<std::size_t>(i)];
        const detail::Column col = st.getColumn(i);
        nlohmann::ordered_json v;
        std::string text;
        if (col.isNull()) {
          v = nullptr;
        } else if (col.getType() == detail::ColumnType::integer) {
          const std::int64_t n = col.getInt64();
          if (is_instant(name)) {
            text = format_instant(n);
            v = text;
          } else {
            text = std::to_string(n);
            v = n;
          }
        } else if (col.getType() == detail::ColumnType::real) {
          v = col.getDouble();
          text = v.dump();  // the shortest text that reads back as the same double
        } else {
          text = col.getString();
          // Tags and attributes are JSON already: nested as JSON, not as a string.
          v = (name == "tags" || name == "attributes") ? nlohmann::ordered_json::parse(text) : nlohmann::ordered_json(text);
        }
        if (format == ExportFormat::csv) line += (i ? "," : "") + io::csv_field(text);
        else row[name] = std::move(v);
      }
      if (format == ExportFormat::csv) out << line << "\r\n";
      else out << (rows ? ",\n" : "\n") << row.dump();
      ++rows;
      if (!out) throw Error(Errc::io, "export: writing row " + std::to_string(rows) + " failed");
    }
    if (format == ExportFormat::json) out << (rows ? "\n]\n" : "]\n");
    out.flush();
    if (!out) throw Error(Errc::io, "export: writing the output failed");
    return rows;
  });
}

}  // namespace crmkit
