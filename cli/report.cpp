// crmkit report: the core sections (customers, interactions, revenue, top customers) and the
// command that prints every registered section, as text or as one JSON object.
//
// The core figures are read through the public API (a customer listing and each customer's
// timeline), like any host would; the scan is O(interactions) once per report.
#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "report.hpp"

namespace crmkit::cli {
namespace {

constexpr int kChannels = static_cast<int>(Channel::other) + 1;
constexpr int kKinds = static_cast<int>(InteractionKind::other) + 1;

struct CoreCustomer {
  std::int64_t id;
  std::string label;  // external id or display name, for the top list
  LifecycleStage stage;
  std::string country;
  Instant created_at;
};

struct CoreRow {
  std::uint32_t customer;  // index into customers
  std::uint8_t channel;
  std::uint8_t kind;
  std::uint16_t currency;  // index into currencies; kNoCurrency without an amount
  Instant at;
  std::int64_t minor;
};
constexpr std::uint16_t kNoCurrency = 0xFFFF;

struct CoreData {
  std::vector<CoreCustomer> customers;
  std::vector<CoreRow> rows;
  std::vector<std::string> currencies;
  std::optional<Instant> last_at;  // newest interaction (or customer creation)
};

// One scan per store and process: every section of one report reads the same snapshot.
const CoreData& core_data(Store& store) {
  static const void* cached_for = nullptr;
  static CoreData data;
  if (cached_for == &store.connection()) return data;
  data = CoreData{};
  Customers customers(store);
  Interactions interactions(store);
  std::unordered_map<std::string, std::uint16_t> currency_index;
  std::int64_t after = 0;
  do {
    CustomerPage page = customers.list({}, after, 1000);
    for (const Customer& c : page.customers) {
      auto ci = static_cast<std::uint32_t>(data.customers.size());
      std::string label = c.external_id ? *c.external_id
                          : c.display_name ? *c.display_name
                                           : "#" + std::to_string(c.id);
      if (c.external_id && c.display_name) label += " (" + *c.display_name + ")";
      data.customers.push_back({c.id, std::move(label), c.lifecycle_stage,
                                c.country.value_or(""), c.created_at});
      if (!data.last_at || c.created_at > *data.last_at) data.last_at = c.created_at;
      std::optional<Instant> before_time;
      std::optional<std::int64_t> before_id;
      for (;;) {
        TimelinePage tp = interactions.timeline(c.id, {}, 1000, before_time, before_id);
        for (const Interaction& i : tp.interactions) {
          std::uint16_t cur = kNoCurrency;
          std::int64_t minor = 0;
          if (i.amount) {
            auto [it, fresh] = currency_index.emplace(
                i.amount->currency, static_cast<std::uint16_t>(data.currencies.size()));
            if (fresh) data.currencies.push_back(i.amount->currency);
            cur = it->second;
            minor = i.amount->minor;
          }
          data.rows.push_back({ci, static_cast<std::uint8_t>(i.channel),
                               static_cast<std::uint8_t>(i.kind), cur, i.occurred_at, minor});
          if (!data.last_at || i.occurred_at > *data.last_at) data.last_at = i.occurred_at;
        }
        if (!tp.has_more) break;
        before_time = tp.next_before_time;
        before_id = tp.next_before_id;
      }
    }
    after = page.next_after;
  } while (after != 0);
  cached_for = &store.connection();
  return data;
}

// The figures of the core sections at one as_of (facts strictly before it).
struct Overview {
  std::int64_t customers = 0, interactions = 0, purchases = 0, refunds = 0;
  // Money sums across customers are 128-bit: each customer's totals fit int64 (refused at the
  // write otherwise), their sum over the store need not.
  std::map<std::string, MoneySum> revenue, refunded;                 // by currency
  std::map<std::string, std::int64_t> by_stage, by_country;
  std::int64_t by_channel_kind[kChannels][kKinds] = {};
  std::map<std::string, std::map<std::string, std::pair<std::int64_t, MoneySum>>> by_month;  // cur -> month -> (n, minor)
  std::map<std::string, std::vector<std::pair<MoneySum, std::uint32_t>>> top;  // cur -> (minor, customer)
};

const Overview& overview(Store& store, Instant as_of) {
  static const void* cached_for = nullptr;
  static Instant cached_as_of = 0;
  static Overview o;
  if (cached_for == &store.connection() && cached_as_of == as_of) return o;
  const CoreData& d = core_data(store);
  o = Overview{};
  std::vector<bool> counted(d.customers.size(), false);
  for (std::size_t i = 0; i < d.customers.size(); ++i) {
    const auto& c = d.customers[i];
    if (c.created_at >= as_of) continue;
    counted[i] = true;
    ++o.customers;
    ++o.by_stage[to_string(c.stage)];
    ++o.by_country[c.country.empty() ? "(unknown)" : c.country];
  }
  std::vector<std::map<std::uint16_t, MoneySum>> spend(d.customers.size());
  for (const CoreRow& r : d.rows) {
    if (r.at >= as_of) continue;
    ++o.interactions;
    ++o.by_channel_kind[r.channel][r.kind];
    auto kind = static_cast<InteractionKind>(r.kind);
    if (kind == InteractionKind::purchase) {
      ++o.purchases;
      if (r.currency == kNoCurrency) continue;
      const std::string& cur = d.currencies[r.currency];
      o.revenue[cur] += r.minor;
      CivilDate cd = civil_from_day(day_of(r.at));
      char month[8];
      std::snprintf(month, sizeof month, "%04d-%02d", cd.year, cd.month);
      auto& cell = o.by_month[cur][month];
      ++cell.first;
      cell.second += r.minor;
      spend[r.customer][r.currency] += r.minor;
    } else if (kind == InteractionKind::refund) {
      ++o.refunds;
      if (r.currency != kNoCurrency) o.refunded[d.currencies[r.currency]] += r.minor;
    }
  }
  for (std::uint32_t i = 0; i < spend.size(); ++i)
    for (auto [cur, minor] : spend[i]) o.top[d.currencies[cur]].push_back({minor, i});
  for (auto& [cur, list] : o.top) {
    std::size_t n = std::min<std::size_t>(10, list.size());
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n), list.end(),
                      [&](const auto& a, const auto& b) {
                        if (a.first != b.first) return a.first > b.first;
                        return d.customers[a.second].id < d.customers[b.second].id;
                      });
    list.resize(n);
  }
  cached_for = &store.connection();
  cached_as_of = as_of;
  return o;
}

std::string share(std::int64_t n, std::int64_t total) {
  char b[16];
  std::snprintf(b, sizeof b, "%.1f%%", total ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
  return b;
}

void heading(std::string& out, const std::string& title) {
  out += "\n" + title + "\n";
}

// ---- sections -------------------------------------------------------------------------------

void overview_text(Store& s, Instant as_of, std::string& out) {
  const Overview& o = overview(s, as_of);
  if (core_data(s).customers.empty()) {
    out += "crmkit report: " + s.path() + " has no customers yet\n";
    return;
  }
  out += "crmkit report: " + s.path() + ", as of the end of " + format_date(day_of(as_of) - 1) + "\n";
  Table t({"", "count"}, "lr");
  t.row({"customers", grouped(o.customers)});
  t.row({"interactions", grouped(o.interactions)});
  t.row({"purchases", grouped(o.purchases)});
  t.row({"refunds", grouped(o.refunds)});
  heading(out, "Overview");
  t.render(out);
  if (!o.revenue.empty()) {
    Table m({"currency", "revenue", "refunds", "net"}, "lrrr");
    for (const auto& [cur, minor] : o.revenue) {
      auto it = o.refunded.find(cur);
      MoneySum ref = it == o.refunded.end() ? 0 : it->second;
      m.row({cur, grouped_amount(minor, cur), grouped_amount(ref, cur), grouped_amount(minor + ref, cur)});
    }
    heading(out, "Revenue (purchases; refunds shown apart; currencies never added)");
    m.render(out);
  }
}

nlohmann::json overview_json(Store& s, Instant as_of) {
  const Overview& o = overview(s, as_of);
  nlohmann::json revenue = nlohmann::json::object(), refunds = nlohmann::json::object(),
                 net = nlohmann::json::object();
  for (const auto& [cur, minor] : o.revenue) revenue[cur] = amount_json(minor, cur);
  for (const auto& [cur, minor] : o.refunded) refunds[cur] = amount_json(minor, cur);
  std::map<std::string, MoneySum> n(o.revenue);
  for (const auto& [cur, minor] : o.refunded) n[cur] += minor;
  for (const auto& [cur, minor] : n) net[cur] = amount_json(minor, cur);
  return {{"customers", o.customers}, {"interactions", o.interactions}, {"purchases", o.purchases},
          {"refunds", o.refunds},     {"revenue", revenue},             {"refunded", refunds},
          {"net_revenue", net}};
}

void counts_text(const std::map<std::string, std::int64_t>& counts, std::int64_t total,
                 const std::string& what, std::string& out, std::size_t max_rows) {
  std::vector<std::pair<std::string, std::int64_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Table t({what, "customers", "share", ""}, "lrrl");
  std::int64_t rest = 0, rest_n = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i < max_rows) {
      t.row({v[i].first, grouped(v[i].second), share(v[i].second, total),
             bar(static_cast<double>(v[i].second), static_cast<double>(v[0].second), 30)});
    } else {
      rest += v[i].second;
      ++rest_n;
    }
  }
  if (rest_n) t.row({"(" + std::to_string(rest_n) + " more)", grouped(rest), share(rest, total), ""});
  t.render(out);
}

void stages_text(Store& s, Instant as_of, std::string& out) {
  if (core_data(s).customers.empty()) return;  // the overview said so
  const Overview& o = overview(s, as_of);
  heading(out, "Customers by lifecycle stage");
  // Lifecycle order rather than by size: lead -> prospect -> customer -> churned.
  Table t({"stage", "customers", "share", ""}, "lrrl");
  std::int64_t max = 0;
  for (const auto& [k, n] : o.by_stage) max = std::max(max, n);
  for (auto st : kLifecycleStages) {
    auto it = o.by_stage.find(to_string(st));
    std::int64_t n = it == o.by_stage.end() ? 0 : it->second;
    t.row({to_string(st), grouped(n), share(n, o.customers), bar(static_cast<double>(n), static_cast<double>(max), 30)});
  }
  t.render(out);
}

nlohmann::json stages_json(Store& s, Instant as_of) {
  const Overview& o = overview(s, as_of);
  nlohmann::json j = nlohmann::json::object();
  for (auto st : kLifecycleStages) {
    auto it = o.by_stage.find(to_string(st));
    j[to_string(st)] = it == o.by_stage.end() ? 0 : it->second;
  }
  return j;
}

void countries_text(Store& s, Instant as_of, std::string& out) {
  if (core_data(s).customers.empty()) return;  // the overview said so
  const Overview& o = overview(s, as_of);
  heading(out, "Customers by country");
  counts_text(o.by_country, o.customers, "country", out, 15);
}

nlohmann::json countries_json(Store& s, Instant as_of) {
  return overview(s, as_of).by_country;
}

void channels_text(Store& s, Instant as_of, std::string& out) {
  if (core_data(s).customers.empty()) return;  // the overview said so
  const Overview& o = overview(s, as_of);
  heading(out, "Interactions by channel and kind");
  // Only the kinds and channels that occur, as a matrix with totals.
  std::vector<int> kinds, channels;
  for (int k = 0; k < kKinds; ++k) {
    std::int64_t n = 0;
    for (int c = 0; c < kChannels; ++c) n += o.by_channel_kind[c][k];
    if (n) kinds.push_back(k);
  }
  for (int c = 0; c < kChannels; ++c) {
    std::int64_t n = 0;
    for (int k = 0; k < kKinds; ++k) n += o.by_channel_kind[c][k];
    if (n) channels.push_back(c);
  }
  std::vector<std::string> header{"channel"};
  for (int k : kinds) header.push_back(to_string(static_cast<InteractionKind>(k)));
  header.push_back("total");
  Table t(header, "l" + std::string(kinds.size() + 1, 'r'));
  std::vector<std::int64_t> col(kinds.size(), 0);
  for (int c : channels) {
    std::vector<std::string> row{to_string(static_cast<Channel>(c))};
    std::int64_t total = 0;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      std::int64_t n = o.by_channel_kind[c][kinds[i]];
      row.push_back(n ? grouped(n) : "");
      col[i] += n;
      total += n;
    }
    row.push_back(grouped(total));
    t.row(row);
  }
  std::vector<std::string> totals{"total"};
  for (auto n : col) totals.push_back(grouped(n));
  totals.push_back(grouped(o.interactions));
  t.row(totals);
  t.render(out);
}

nlohmann::json channels_json(Store& s, Instant as_of) {
  const Overview& o = overview(s, as_of);
  nlohmann::json by_channel = nlohmann::json::object(), by_kind = nlohmann::json::object(),
                 matrix = nlohmann::json::object();
  for (int c = 0; c < kChannels; ++c)
    for (int k = 0; k < kKinds; ++k) {
      std::int64_t n = o.by_channel_kind[c][k];
      if (!n) continue;
      const char* cn = to_string(static_cast<Channel>(c));
      const char* kn = to_string(static_cast<InteractionKind>(k));
      by_channel[cn] = by_channel.value(cn, std::int64_t{0}) + n;
      by_kind[kn] = by_kind.value(kn, std::int64_t{0}) + n;
      matrix[cn][kn] = n;
    }
  return {{"by_channel", by_channel}, {"by_kind", by_kind}, {"by_channel_kind", matrix}};
}

void months_text(Store& s, Instant as_of, std::string& out) {
  const Overview& o = overview(s, as_of);
  for (const auto& [cur, months] : o.by_month) {
    heading(out, "Revenue by month (" + cur + ")");
    MoneySum max = 0;
    for (const auto& [m, cell] : months) max = std::max(max, cell.second);
    Table t({"month", "purchases", "revenue", ""}, "lrrl");
    for (const auto& [m, cell] : months)
      t.row({m, grouped(cell.first), grouped_amount(cell.second, cur),
             bar(static_cast<double>(cell.second), static_cast<double>(max), 40)});
    t.render(out);
  }
}

nlohmann::json months_json(Store& s, Instant as_of) {
  const Overview& o = overview(s, as_of);
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [cur, months] : o.by_month)
    for (const auto& [m, cell] : months)
      j[cur][m] = {{"purchases", cell.first}, {"revenue", amount_json(cell.second, cur)}};
  return j;
}

void top_text(Store& s, Instant as_of, std::string& out) {
  const Overview& o = overview(s, as_of);
  const CoreData& d = core_data(s);
  for (const auto& [cur, list] : o.top) {
    heading(out, "Top customers by revenue (" + cur + ")");
    Table t({"#", "id", "customer", "revenue"}, "rrlr");
    int rank = 0;
    for (const auto& [minor, ci] : list)
      t.row({std::to_string(++rank), std::to_string(d.customers[ci].id), d.customers[ci].label,
             grouped_amount(minor, cur)});
    t.render(out);
  }
}

nlohmann::json top_json(Store& s, Instant as_of) {
  const Overview& o = overview(s, as_of);
  const CoreData& d = core_data(s);
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [cur, list] : o.top) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [minor, ci] : list)
      arr.push_back({{"id", d.customers[ci].id}, {"customer", d.customers[ci].label},
                     {"revenue", amount_json(minor, cur)}});
    j[cur] = arr;
  }
  return j;
}

RegisterReportSection r100({100, "overview", overview_text, overview_json});
RegisterReportSection r110({110, "customers_by_stage", stages_text, stages_json});
RegisterReportSection r120({120, "customers_by_country", countries_text, countries_json});
RegisterReportSection r130({130, "interactions_by_channel", channels_text, channels_json});
RegisterReportSection r140({140, "revenue_by_month", months_text, months_json});
RegisterReportSection r150({150, "top_customers", top_text, top_json});

}  // namespace

void print_report(Store& store, Instant as_of, bool json) {
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    j["database"] = store.path();
    j["as_of"] = format_instant(as_of);
    for (const ReportSection& s : report_sections()) {
      // The top-level names below are taken; a section with one of them would be overwritten.
      for (const char* taken : {"database", "as_of", "customers", "interactions", "purchases", "revenue"})
        if (s.key == taken)
          throw Error(Errc::internal, "report section key '" + s.key + "' is reserved at the top level");
      j[s.key] = s.json(store, as_of);
    }
    // The headline figures also sit at the top level, where scripts look first.
    if (j.contains("overview"))
      for (const char* k : {"customers", "interactions", "purchases", "revenue"}) j[k] = j["overview"][k];
    print_json(j);
    return;
  }
  std::string out;
  for (const ReportSection& s : report_sections()) {
    s.text(store, as_of, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  }
  std::fflush(stdout);
}

namespace {

void add_report(CLI::App& root) {
  auto* cmd = root.add_subcommand("report", "Print the report: customers, interactions, revenue and every area's figures");
  struct Opts {
    std::string db = kDefaultDb;
    std::string as_of;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  add_db_option(cmd, o->db);
  cmd->add_option("--as-of", o->as_of, "report date YYYY-MM-DD (facts up to the end of that day) or an instant; default: the end of the last day with data");
  cmd->add_flag("--json", o->json, "one JSON object on stdout");
  cmd->callback([o] {
    Store store = open_store(o->db, StoreUse::read);
    Instant as_of = as_of_arg(store, o->as_of);
    print_report(store, as_of, o->json);
  });
}

RegisterCommand reg(&add_report);

}  // namespace
}  // namespace crmkit::cli
