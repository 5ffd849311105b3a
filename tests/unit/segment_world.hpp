// A randomised population of customers and interactions, held as plain structs (for the
// independent evaluator) and written into a store with plain SQL (the figures the library keeps
// are computed here from the structs, not by the library).
#pragma once


#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_store.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "store/connection.hpp"

namespace segtest {

struct Act {
  std::int64_t at = 0;
  std::string kind, channel, direction;
  std::optional<std::int64_t> amount;
  std::string currency;
};

struct Person {
  std::int64_t id = 0;
  std::string kind = "person";
  std::optional<std::string> email, gender, country, city, display_name;
  std::string lifecycle = "lead";
  std::optional<std::int64_t> acq_cost;
  std::string acq_currency;
  std::int64_t created_at = 0;
  std::optional<std::string> birth_date;
  std::set<std::string> tags;
  std::optional<std::string> tier;   // attributes.tier
  std::optional<std::int64_t> score; // attributes.score
  std::optional<bool> vip;           // attributes.vip
  std::optional<double> p_alive;
  std::optional<std::string> rfm_segment;
  std::optional<std::int64_t> rfm_r;
  std::vector<Act> acts;
};

inline std::int64_t ms_of(int y, int m, int d) { return crmkit::start_of_day(crmkit::day_from_civil({y, m, d})); }

struct World {
  std::vector<Person> people;
  std::map<std::string, std::set<std::int64_t>> static_members;  // segment name -> ids

  static World make(std::uint64_t seed, int customers, int acts_per_customer_max) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    auto chance = [&](int pct) { return pick(100) < pct; };
    World w;
    const std::vector<std::string> genders{"F", "M", "X"};
    const std::vector<std::string> countries{"DE", "FR", "US", "GB"};
    const std::vector<std::string> cities{"Berlin", "Paris", "New York", "Köln", "a%b_c", "O'Hara", ""};
    const std::vector<std::string> tags{"vip", "newsletter", "b2b", "50%", "x_y"};
    const std::vector<std::string> kinds{"purchase", "purchase", "purchase", "refund", "visit", "email_open",
                                         "support", "complaint"};
    const std::vector<std::string> channels{"web", "store", "email", "phone"};
    const std::vector<std::string> dirs{"inbound", "outbound", "none"};
    const std::vector<std::string> tiers{"gold", "silver", "bronze", "Gold"};
    const std::vector<std::string> rfm{"champions", "at_risk", "hibernating"};
    // Boundary-heavy times: midnights near month ends and leap days plus random instants.
    const std::int64_t t0 = ms_of(2022, 1, 1), t1 = ms_of(2025, 1, 1);
    for (int i = 1; i <= customers; ++i) {
      Person p;
      p.id = i;
      if (chance(10)) p.kind = "organization";
      if (chance(80)) p.email = "user" + std::to_string(i) + (chance(50) ? "@example.com" : "@shop.de");
      if (chance(85)) p.gender = genders[pick(3)];
      if (chance(90)) p.country = countries[pick(4)];
      if (chance(80)) p.city = cities[pick(static_cast<int>(cities.size()))];
      if (chance(50)) p.display_name = "Name " + std::to_string(i);
      p.lifecycle = std::vector<std::string>{"lead", "prospect", "customer", "churned"}[pick(4)];
      if (chance(50)) {
        p.acq_cost = pick(5000);
        p.acq_currency = chance(80) ? "USD" : "EUR";
      }
      p.created_at = t0 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(t1 - t0));
      if (chance(20)) p.created_at = ms_of(2023, 1 + pick(12), 1);
      if (chance(85)) {
        int y = 1950 + pick(60), m = 1 + pick(12), d = 1 + pick(28);
        if (chance(8)) m = 2, d = 29, y = 1960 + 4 * pick(12);  // leap-day birthdays
        if (chance(10)) m = 2, d = 28 + pick(2), y = 2000;
        if (chance(10)) m = 8, d = 30;                          // the as-of days used in the tests
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        p.birth_date = buf;
      }
      for (const auto& t : tags)
        if (chance(25)) p.tags.insert(t);
      if (chance(60)) p.tier = tiers[pick(4)];
      if (chance(60)) p.score = pick(100);
      if (chance(40)) p.vip = chance(50);
      if (chance(60)) p.p_alive = pick(1000) / 1000.0;
      if (chance(60)) {
        p.rfm_segment = rfm[pick(3)];
        p.rfm_r = 1 + pick(5);
      }
      const int n = pick(acts_per_customer_max + 1);
      for (int k = 0; k < n; ++k) {
        Act a;
        a.kind = kinds[pick(static_cast<int>(kinds.size()))];
        a.channel = channels[pick(4)];
        a.direction = dirs[pick(3)];
        if (chance(40)) {
          // Exactly on a midnight around month ends / leap days (window edges).
          static const int days[][3] = {{2024, 2, 29}, {2024, 3, 1}, {2024, 8, 31}, {2024, 2, 28}, {2023, 2, 28},
                                        {2024, 6, 30}, {2024, 7, 1}, {2024, 5, 31}, {2023, 3, 1}, {2024, 8, 30},
                                        {2023, 8, 31}, {2024, 12, 31}, {2024, 11, 30}, {2024, 3, 31}};
          const auto& d = days[pick(14)];
          a.at = ms_of(d[0], d[1], d[2]) + (chance(70) ? 0 : (chance(50) ? -1 : 1));
        } else {
          a.at = t0 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(t1 - t0));
        }
        if (a.kind == "purchase" || a.kind == "refund") {
          a.currency = chance(85) ? "USD" : "EUR";
          a.amount = pick(20000);
          if (a.kind == "refund") *a.amount = -*a.amount;
        }
        p.acts.push_back(a);
      }
      w.people.push_back(std::move(p));
    }
    for (const char* s : {"club", "blocked"})
      for (const auto& p : w.people)
        if (chance(30)) w.static_members[s].insert(p.id);
    return w;
  }

  void write(crmkit::Store& store) const {
    auto& db = crmkit::detail::connection_of(store).db;
    db.exec("BEGIN");
    auto c_st = db.statement("INSERT INTO customers(id, kind, display_name, email, gender, country, city, lifecycle_stage, "
                        "acquisition_cost, acquisition_currency, created_at, updated_at, birth_date, attributes) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    auto& c = *c_st;
    auto tag_st = db.statement("INSERT INTO customer_tags(customer_id, tag) VALUES (?, ?)");
    auto& tag = *tag_st;
    auto act_st = db.statement("INSERT INTO interactions(customer_id, occurred_at, channel, kind, direction, amount, "
                              "currency) VALUES (?,?,?,?,?,?,?)");
    auto& act = *act_st;
    auto fig_st = db.statement("INSERT INTO customer_figures(customer_id, interaction_count, last_interaction_at, "
                              "purchase_count, purchase_days, refund_count, first_purchase_at, last_purchase_at) "
                              "VALUES (?,?,?,?,?,?,?,?)");
    auto& fig = *fig_st;
    auto money_st = db.statement("INSERT INTO customer_money(customer_id, currency, purchase_total, refund_total) "
                                "VALUES (?,?,?,?)");
    auto& money = *money_st;
    db.exec("INSERT INTO rfm_maps(name, version, definition) VALUES ('test', 1, '{}') ON CONFLICT DO NOTHING");
    db.exec("INSERT INTO score_run(id, scored_at) VALUES (1, 0) ON CONFLICT(id) DO UPDATE SET scored_at = 0");
    auto score_st = db.statement("INSERT INTO customer_score_values(customer_id, p_alive) VALUES (?, ?)");
    auto& score = *score_st;
    db.exec("INSERT INTO rfm_run(id, as_of, map_name, map_version) VALUES (1, 0, 'test', 1) "
            "ON CONFLICT(id) DO UPDATE SET as_of = 0, map_name = 'test', map_version = 1");
    auto rfm_st = db.statement("INSERT INTO customer_rfm(customer_id, last_purchase_at, frequency, monetary, r_score, "
                              "f_score, m_score, rfm_score, segment) VALUES (?1, 0, 1, 0, ?2, 1, 1, ?4, ?3)");
    auto& rfm = *rfm_st;
    auto opt = [](crmkit::detail::Statement& st, int k, const std::optional<std::string>& v) {
      if (v) st.bind(k, *v); else st.bind(k);
    };
    // An optional amount into column k and its currency into k + 1: both NULL without an amount.
    auto money_of = [](crmkit::detail::Statement& st, int k, const std::optional<std::int64_t>& amount,
                       const std::string& currency) {
      if (amount) {
        st.bind(k, static_cast<int64_t>(*amount));
        st.bind(k + 1, currency);
      } else {
        st.bind(k);
        st.bind(k + 1);
      }
    };
    for (const auto& p : people) {
      c.reset();
      c.bind(1, static_cast<int64_t>(p.id));
      c.bind(2, p.kind);
      opt(c, 3, p.display_name);
      opt(c, 4, p.email);
      opt(c, 5, p.gender);
      opt(c, 6, p.country);
      opt(c, 7, p.city);
      c.bind(8, p.lifecycle);
      money_of(c, 9, p.acq_cost, p.acq_currency);
      c.bind(11, static_cast<int64_t>(p.created_at));
      c.bind(12, static_cast<int64_t>(p.created_at));
      opt(c, 13, p.birth_date);
      std::string attrs = "{";
      auto sep = [&] { if (attrs.size() > 1) attrs += ","; };
      if (p.tier) { sep(); attrs += "\"tier\":\"" + *p.tier + "\""; }
      if (p.score) { sep(); attrs += "\"score\":" + std::to_string(*p.score); }
      if (p.vip) { sep(); attrs += std::string("\"vip\":") + (*p.vip ? "true" : "false"); }
      attrs += "}";
      c.bind(14, attrs);
      c.exec();
      for (const auto& t : p.tags) {
        tag.reset();
        tag.bind(1, static_cast<int64_t>(p.id));
        tag.bind(2, t);
        tag.exec();
      }
      std::int64_t purchases = 0, refunds = 0;
      std::optional<std::int64_t> first, last, last_any;
      std::set<std::int64_t> days;
      std::map<std::string, std::pair<std::int64_t, std::int64_t>> totals;
      for (const auto& a : p.acts) {
        act.reset();
        act.bind(1, static_cast<int64_t>(p.id));
        act.bind(2, static_cast<int64_t>(a.at));
        act.bind(3, a.channel);
        act.bind(4, a.kind);
        act.bind(5, a.direction);
        money_of(act, 6, a.amount, a.currency);
        act.exec();
        if (!last_any || a.at > *last_any) last_any = a.at;
        if (a.kind == "purchase") {
          ++purchases;
          days.insert(crmkit::day_of(a.at));
          if (!first || a.at < *first) first = a.at;
          if (!last || a.at > *last) last = a.at;
          totals[a.currency].first += *a.amount;
        } else if (a.kind == "refund") {
          ++refunds;
          totals[a.currency].second += *a.amount;
        }
      }
      fig.reset();
      fig.bind(1, static_cast<int64_t>(p.id));
      fig.bind(2, static_cast<int64_t>(p.acts.size()));
      if (last_any) fig.bind(3, static_cast<int64_t>(*last_any)); else fig.bind(3);
      fig.bind(4, static_cast<int64_t>(purchases));
      fig.bind(5, static_cast<int64_t>(days.size()));
      fig.bind(6, static_cast<int64_t>(refunds));
      if (first) fig.bind(7, static_cast<int64_t>(*first)); else fig.bind(7);
      if (last) fig.bind(8, static_cast<int64_t>(*last)); else fig.bind(8);
      fig.exec();
      for (const auto& [cur, t] : totals) {
        money.reset();
        money.bind(1, static_cast<int64_t>(p.id));
        money.bind(2, cur);
        money.bind(3, static_cast<int64_t>(t.first));
        money.bind(4, static_cast<int64_t>(t.second));
        money.exec();
      }
      if (p.p_alive) {
        score.reset();
        score.bind(1, static_cast<int64_t>(p.id));
        score.bind(2, *p.p_alive);
        score.exec();
      }
      if (p.rfm_segment) {
        rfm.reset();
        rfm.bind(1, static_cast<int64_t>(p.id));
        rfm.bind(2, static_cast<int64_t>(*p.rfm_r));
        rfm.bind(3, *p.rfm_segment);
        rfm.bind(4, static_cast<int64_t>(*p.rfm_r * 100 + 11));  // one type per parameter on PostgreSQL
        rfm.exec();
      }
    }
    db.exec("COMMIT");
  }
};

// A fresh in-memory store holding `world`: what the segment tests query.
inline crmkit::Store store_of(const World& world) {
  crmkit::Store store = test_store();
  world.write(store);
  return store;
}

}  // namespace segtest
