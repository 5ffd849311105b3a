#include "demo_population.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace crmkit::cli {
namespace {

// Samplers of our own: std::*_distribution results differ between standard libraries, the
// engine's raw output does not.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double open01() {
    double u;
    do u = uniform();
    while (u == 0.0);
    return u;
  }
  int below(int n) { return static_cast<int>(uniform() * n); }
  bool chance(double p) { return uniform() < p; }
  double exponential(double rate) { return -std::log(open01()) / rate; }
  double normal() {  // Box-Muller, one value per call (simpler than caching the pair)
    return std::sqrt(-2.0 * std::log(open01())) * std::cos(6.283185307179586 * uniform());
  }
  // Marsaglia & Tsang (2000); shape < 1 by the boost U^(1/shape).
  double gamma(double shape, double scale) {
    if (shape < 1.0) return gamma(shape + 1.0, scale) * std::pow(open01(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = open01();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
    }
  }
  double beta(double a, double b) {
    double x = gamma(a, 1.0), y = gamma(b, 1.0);
    return x / (x + y);
  }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) { return items[below(static_cast<int>(N))]; }
  // Index drawn with the given weights.
  template <std::size_t N>
  int weighted(const double (&w)[N]) {
    double total = 0;
    for (double x : w) total += x;
    double u = uniform() * total;
    for (std::size_t i = 0; i < N; ++i) {
      if (u < w[i]) return static_cast<int>(i);
      u -= w[i];
    }
    return static_cast<int>(N - 1);
  }

 private:
  std::mt19937_64 engine_;
};

struct Country {
  const char* code;
  const char* currency;
  double per_usd;        // price level in the local currency per US dollar
  const char* phone_prefix;  // "+", calling code and the start of a valid mobile or fixed range
  int phone_digits;          // random digits after it: the whole is a valid number (libphonenumber)
  const char* language;
  const char* cities[4];
  const char* regions[4];
};

const Country kCountries[] = {
    {"US", "USD", 1.0, "+12122", 6, "en", {"New York", "Chicago", "Austin", "Seattle"}, {"NY", "IL", "TX", "WA"}},
    {"GB", "GBP", 0.79, "+447400", 6, "en", {"London", "Manchester", "Leeds", "Bristol"}, {"ENG", "ENG", "ENG", "ENG"}},
    {"DE", "EUR", 0.92, "+49151", 8, "de", {"Berlin", "Hamburg", "München", "Köln"}, {"BE", "HH", "BY", "NW"}},
    {"FR", "EUR", 0.92, "+3361", 7, "fr", {"Paris", "Lyon", "Marseille", "Toulouse"}, {"IDF", "ARA", "PAC", "OCC"}},
    {"CA", "USD", 1.0, "+14162", 6, "en", {"Toronto", "Montréal", "Vancouver", "Calgary"}, {"ON", "QC", "BC", "AB"}},
    {"AU", "USD", 1.0, "+61412", 6, "en", {"Sydney", "Melbourne", "Brisbane", "Perth"}, {"NSW", "VIC", "QLD", "WA"}},
    {"NL", "EUR", 0.92, "+3161", 7, "nl", {"Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"}, {"NH", "ZH", "UT", "NB"}},
    {"ES", "EUR", 0.92, "+346", 8, "es", {"Madrid", "Barcelona", "Valencia", "Sevilla"}, {"MD", "CT", "VC", "AN"}},
    {"IT", "EUR", 0.92, "+39333", 7, "it", {"Roma", "Milano", "Torino", "Napoli"}, {"LAZ", "LOM", "PIE", "CAM"}},
    {"SE", "USD", 1.0, "+4670", 7, "sv", {"Stockholm", "Göteborg", "Malmö", "Uppsala"}, {"AB", "O", "M", "C"}},
    {"JP", "JPY", 150.0, "+81903", 7, "ja", {"Tokyo", "Osaka", "Yokohama", "Nagoya"}, {"13", "27", "14", "23"}},
    {"BR", "USD", 1.0, "+55119", 8, "pt", {"São Paulo", "Rio de Janeiro", "Brasília", "Salvador"}, {"SP", "RJ", "DF", "BA"}},
};
const double kCountryWeights[] = {50, 10, 8, 6, 7, 5, 3, 3, 3, 2, 2, 1};

const char* kGivenF[] = {"Emma", "Olivia", "Ava", "Sophia", "Mia", "Charlotte", "Amelia", "Harper", "Chloé", "Léa",
                         "Hannah", "Lena", "Sofia", "Giulia", "Lucía", "Yuki", "Ana", "Maja", "Freya", "Zoë"};
const char* kGivenM[] = {"Liam", "Noah", "Oliver", "Elijah", "James", "William", "Lucas", "Henry", "Louis", "Jonas",
                         "Paul", "Leon", "Mateo", "Marco", "Hugo", "Haruto", "João", "Erik", "Finn", "Noé"};
const char* kFamily[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin",
                         "Bernard", "Müller", "Schmidt", "Rossi", "Ferrari", "García", "Fernández", "de Vries",
                         "Jansen", "Andersson", "Tanaka", "Silva", "Taylor", "Wilson", "O'Brien", "Dubois"};
const char* kCompanyA[] = {"Acme", "Northwind", "Blue Harbor", "Summit", "Bright Path", "Redwood", "Oak & Iron",
                           "Cobalt", "Evergreen", "Polar"};
const char* kCompanyB[] = {"Trading", "Supplies", "Outfitters", "Labs", "Retail", "Partners", "Goods", "Studio"};
const char* kDomains[] = {"example.com", "example.org", "example.net"};

// Acquisition channel and the mean cost of acquiring a customer through it (USD).
const char* kAcqChannels[] = {"organic", "paid_search", "social", "referral", "email", "affiliate"};
const double kAcqWeights[] = {35, 25, 15, 10, 5, 10};
const double kAcqCost[] = {0, 42, 27, 12, 0, 30};

const char* kInquiry[] = {"Question about delivery time", "Size and fit question", "Product availability",
                          "Invoice request", "Change of address", "Gift wrapping options"};
const char* kSupport[] = {"Password reset", "Order tracking", "Return label request", "Warranty claim",
                          "Payment failed", "Account settings"};
const char* kComplaint[] = {"Damaged item received", "Late delivery", "Wrong item shipped", "Charged twice",
                            "Rude service in store", "Missing parts"};

std::string ascii_lower(std::string s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(static_cast<char>(c));
    // accents and punctuation are dropped: local parts stay plain ASCII
  }
  return out;
}

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + (i == 0 ? 1 + rng.below(9) : rng.below(10))));
  return s;
}

// A time of day weighted to waking hours.
Instant time_of_day(Rng& rng) {
  double hour = 7.0 + 16.0 * rng.uniform();
  return static_cast<Instant>(hour * 3'600'000.0);
}

Interaction make(std::int64_t customer, Instant at, Channel ch, InteractionKind kind, Direction dir) {
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.channel = ch;
  i.kind = kind;
  i.direction = dir;
  return i;
}

}  // namespace

DemoPopulation make_demo_population(std::uint64_t seed, int n, Instant start, Instant end) {
  Rng rng(seed);
  DemoPopulation pop;
  pop.customers.reserve(static_cast<std::size_t>(n));
  pop.interactions.reserve(static_cast<std::size_t>(n) * 16);
  const Day first_day = day_of(start), last_day = day_of(end - 1);
  const Day span = last_day - first_day + 1;
  std::int64_t order_no = 0;
  char buf[64];

  for (int ci = 0; ci < n; ++ci) {
    const std::size_t begin = pop.interactions.size();
    CustomerFields f;
    std::snprintf(buf, sizeof buf, "C%06d", ci + 1);
    f.external_id = buf;
    const Country& co = kCountries[rng.weighted(kCountryWeights)];
    f.country = co.code;
    int city = rng.below(4);
    f.city = co.cities[city];
    f.region = co.regions[city];
    f.postal_code = digits(rng, 5);
    bool org = rng.chance(0.04);
    f.kind = org ? CustomerKind::organization : CustomerKind::person;
    std::string local;
    if (org) {
      std::string name = std::string(rng.pick(kCompanyA)) + " " + rng.pick(kCompanyB);
      f.display_name = name;
      local = "orders." + ascii_lower(name);
    } else {
      double g = rng.uniform();
      std::string given = g < 0.5 ? rng.pick(kGivenF) : rng.pick(kGivenM);
      std::string family = rng.pick(kFamily);
      f.given_name = given;
      f.family_name = family;
      f.display_name = given + " " + family;
      if (g < 0.48) f.gender = "F";
      else if (g < 0.5) f.gender = "X";
      else if (g < 0.98) f.gender = "M";
      // else unknown
      if (rng.chance(0.85)) {
        int age_days = static_cast<int>(365.25 * (18 + std::min(62.0, rng.gamma(4.0, 5.0) + 2)));
        f.birth_date = format_date(first_day - age_days + rng.below(365));
      }
      local = ascii_lower(given) + "." + ascii_lower(family);
    }
    if (rng.chance(0.92)) f.email = local + std::to_string(ci + 1) + "@" + rng.pick(kDomains);
    if (rng.chance(0.7)) f.phone = co.phone_prefix + digits(rng, co.phone_digits);
    int acq = rng.weighted(kAcqWeights);
    f.acquisition_channel = kAcqChannels[acq];
    if (kAcqCost[acq] > 0)
      f.acquisition_cost = Money{static_cast<std::int64_t>(std::llround(rng.gamma(4.0, kAcqCost[acq] / 4.0) * 100)), "USD"};
    bool newsletter = rng.chance(0.45);
    std::vector<std::string> tags;
    if (newsletter) tags.push_back("newsletter");
    if (org) tags.push_back(rng.chance(0.5) ? "wholesale" : "b2b");

    // Acquisition: more customers join later in the window (a growing shop), none in the last week.
    double u = rng.chance(0.5) ? rng.uniform() : std::sqrt(rng.uniform());
    Day acq_day = first_day + static_cast<Day>(u * static_cast<double>(span - 7));
    Instant acquired = start_of_day(acq_day) + time_of_day(rng);
    f.created_at = acquired;
    std::string attrs = std::string("{\"language\":\"") + co.language + "\",\"marketing_opt_in\":" +
                        (newsletter ? "true" : "false") + "}";
    f.attributes = attrs;

    // --- purchases: buy till you die ------------------------------------------------------
    bool buyer = !rng.chance(0.12);
    double lambda = rng.gamma(0.8, 0.026) * (org ? 2.0 : 1.0);    // purchases per day while alive
    double dropout = rng.beta(1.2, 5.5);                          // after each purchase
    double nu = rng.gamma(4.0, 1.0 / 30.0);                       // spend scale (Gamma-Gamma)
    std::vector<Instant> purchases;
    Instant death = end;
    if (buyer) {
      Instant t = acquired;
      while (t < end && purchases.size() < 500) {
        purchases.push_back(t);
        if (rng.chance(dropout)) {
          death = t;
          break;
        }
        t += static_cast<Instant>(rng.exponential(lambda) * kMillisPerDay) + 60'000;
      }
    } else {
      death = std::min<Instant>(end, acquired + static_cast<Instant>(rng.exponential(1.0 / 25) * kMillisPerDay));
    }
    std::int64_t spent_usd_cents = 0;
    const std::int64_t cid = ci;
    for (Instant t : purchases) {
      double usd = std::max(1.99, rng.gamma(6.0, 1.0 / nu)) * (org ? 3.0 : 1.0);
      spent_usd_cents += static_cast<std::int64_t>(usd * 100);
      int exp = co.currency[0] == 'J' ? 0 : 2;
      std::int64_t minor = static_cast<std::int64_t>(std::llround(usd * co.per_usd * (exp ? 100 : 1)));
      int ch = rng.weighted({0.6, 0.33, 0.07});
      Channel channel = ch == 0 ? Channel::web : ch == 1 ? Channel::store : Channel::phone;
      if (channel == Channel::web && rng.chance(0.6)) {
        Interaction v = make(cid, t - 60'000 * (5 + rng.below(55)), Channel::web, InteractionKind::visit, Direction::inbound);
        if (v.occurred_at >= acquired) pop.interactions.push_back(std::move(v));
      }
      Interaction p = make(cid, t, channel, InteractionKind::purchase, Direction::inbound);
      std::snprintf(buf, sizeof buf, "O%07lld", static_cast<long long>(++order_no));
      std::string order = buf;
      p.external_id = order;
      p.amount = Money{minor, co.currency};
      p.margin = static_cast<std::int64_t>(static_cast<double>(minor) * (0.2 + 0.2 * rng.uniform()));
      p.subject = "Order " + order;
      pop.interactions.push_back(std::move(p));
      if (rng.chance(0.025)) {  // a refund of this order, in full or in part
        Instant rt = t + static_cast<Instant>((2 + rng.below(28)) * kMillisPerDay);
        if (rt < end) {
          Interaction r = make(cid, rt, channel, InteractionKind::refund, Direction::outbound);
          std::int64_t back = rng.chance(0.7) ? minor : static_cast<std::int64_t>(static_cast<double>(minor) * (0.2 + 0.6 * rng.uniform()));
          r.external_id = "R" + order.substr(1);
          r.amount = Money{-back, co.currency};
          r.subject = "Refund for order " + order;
          r.attributes = "{\"order\":\"" + order + "\"}";
          pop.interactions.push_back(std::move(r));
        }
      }
      if (rng.chance(0.04)) {  // something went wrong with this order
        Instant ct = t + static_cast<Instant>((1 + rng.below(10)) * kMillisPerDay) + time_of_day(rng) % 3'600'000;
        if (ct < end) {
          Interaction c = make(cid, ct, rng.chance(0.5) ? Channel::email : Channel::phone, InteractionKind::complaint,
                               Direction::inbound);
          c.subject = std::string(rng.pick(kComplaint)) + " (" + order + ")";
          pop.interactions.push_back(std::move(c));
        }
      }
    }
    // Active life: from acquisition to dropout (plus a tail in which they still look around).
    Instant active_end = std::min(end, death + 45 * kMillisPerDay);

    // --- visits and support contacts while active -----------------------------------------
    double visit_rate = 1.2 * lambda + 0.004;  // per day
    for (Instant t = acquired + static_cast<Instant>(rng.exponential(visit_rate) * kMillisPerDay); t < active_end;
         t += static_cast<Instant>(rng.exponential(visit_rate) * kMillisPerDay)) {
      bool store_visit = rng.chance(0.25);
      pop.interactions.push_back(make(cid, t, store_visit ? Channel::store : Channel::web, InteractionKind::visit,
                                      Direction::inbound));
    }
    for (Instant t = acquired + static_cast<Instant>(rng.exponential(1.0 / 150) * kMillisPerDay); t < active_end;
         t += static_cast<Instant>(rng.exponential(1.0 / 150) * kMillisPerDay)) {
      int k = rng.weighted({0.55, 0.45});
      int ch = rng.weighted({0.35, 0.35, 0.30});
      Interaction c = make(cid, t, ch == 0 ? Channel::phone : ch == 1 ? Channel::chat : Channel::email,
                           k == 0 ? InteractionKind::inquiry : InteractionKind::support, Direction::inbound);
      c.subject = k == 0 ? rng.pick(kInquiry) : rng.pick(kSupport);
      if (rng.chance(0.3)) c.notes = "Resolved on first contact.";
      pop.interactions.push_back(std::move(c));
    }

    // --- newsletter: a campaign every Tuesday; opens fade once the customer has gone ---------
    if (newsletter) {
      Day d = day_of(acquired) + 1;
      while ((d + 4) % 7 != 2) ++d;  // 1970-01-01 was a Thursday: (day + 4) % 7 == 2 is Tuesday
      for (; d <= last_day; d += 7) {
        Instant sent = start_of_day(d) + 9 * 3'600'000;
        bool alive = sent < active_end;
        if (!rng.chance(alive ? 0.28 : 0.05)) continue;
        CivilDate cd = civil_from_day(d);
        std::snprintf(buf, sizeof buf, "Newsletter %04d-%02d-%02d", cd.year, cd.month, cd.day);
        Instant opened = sent + static_cast<Instant>(rng.exponential(1.0 / 6) * 3'600'000);
        if (opened >= end) continue;
        Interaction o = make(cid, opened, Channel::email, InteractionKind::email_open, Direction::none);
        o.subject = buf;
        pop.interactions.push_back(o);
        if (rng.chance(0.25)) {
          Interaction c = make(cid, opened + 60'000 * (1 + rng.below(20)), Channel::email, InteractionKind::email_click,
                               Direction::none);
          c.subject = buf;
          if (c.occurred_at < end) pop.interactions.push_back(std::move(c));
        }
      }
    }

    // --- where the customer stands at the end of the window -------------------------------
    bool recent = !purchases.empty() && purchases.back() >= end - 180 * kMillisPerDay;
    if (purchases.empty())
      f.lifecycle_stage = death > acquired + 30 * kMillisPerDay ? LifecycleStage::prospect : LifecycleStage::lead;
    else if (death < end && !recent)
      f.lifecycle_stage = LifecycleStage::churned;
    else
      f.lifecycle_stage = LifecycleStage::customer;
    if (spent_usd_cents > 150'000) tags.push_back("vip");
    std::sort(tags.begin(), tags.end());
    f.tags = tags;
    std::stable_sort(pop.interactions.begin() + static_cast<std::ptrdiff_t>(begin), pop.interactions.end(),
                     [](const Interaction& a, const Interaction& b) { return a.occurred_at < b.occurred_at; });
    pop.customers.push_back(std::move(f));
  }
  return pop;
}

}  // namespace crmkit::cli
