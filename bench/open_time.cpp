// Workload 7: opening a database and answering the first query must not depend on its size
// (no scan, no check at open). Databases of growing size are padded with interaction notes.
#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit.h"
#include "fixture.hpp"

namespace bench {
namespace {

void grow(const std::string& path, std::int64_t megabytes) {
  create_customers_crmkit(path, 1000);
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  db.exec("BEGIN");
  SQLite::Statement st(db, "INSERT INTO interactions(customer_id, occurred_at, channel, kind, notes) "
                           "VALUES (?, ?, 'email', 'note', ?)");
  const std::string notes(4000, 'n');
  const std::int64_t rows = megabytes * 1024 * 1024 / 4100;
  for (std::int64_t i = 0; i < rows; ++i) {
    st.bind(1, static_cast<int64_t>(1 + i % 1000));
    st.bind(2, static_cast<int64_t>(i * 1000));
    st.bind(3, notes);
    st.exec();
    st.reset();
  }
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void open_time(const Options& o, std::vector<Row>& rows) {
  if (!o.big_database) return;
  std::vector<double> sizes, times;
  for (std::int64_t mb : {o.big_database_mb / 100, o.big_database_mb / 10, o.big_database_mb}) {
    if (mb < 1) continue;
    progress(fmt::format("[7] building a {} MB database", mb));
    std::string path = temp_path(o.work_dir, fmt::format("open-{}", mb));
    grow(path, mb);
    // A millisecond-long operation: enough repeats that the best is not one lucky or unlucky run.
    double s = best_of(25, [&] {
      crmkit_db* db = nullptr;
      if (crmkit_db_open(&db, path.c_str(), nullptr) != CRMKIT_OK) throw std::runtime_error(crmkit_last_error_message());
      char* json = nullptr;
      if (crmkit_customer_get_json(&json, db, 500) != CRMKIT_OK) throw std::runtime_error(crmkit_last_error_message());
      crmkit_free(json);
      crmkit_db_close(db);
    });
    remove_db(path);
    sizes.push_back(static_cast<double>(mb));
    times.push_back(s);
    rows.push_back({"7. open + first query", fmt::format("{} MB", mb), s, {}, "", {}, "", "info", ""});
  }
  double k = scaling_exponent(sizes, times);
  rows.push_back({"7. open time exponent vs file size", "1%..100% of the largest", 0, {}, "", k, "<= 0.10",
                  k <= 0.10 ? "met" : "MISSED", "0 = independent of size"});
}

RegisterWorkload reg("7", "open + first query vs database size", &open_time);

}  // namespace
}  // namespace bench
