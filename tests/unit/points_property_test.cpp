// Property test of the points ledger: random earn / redeem / refund / expire / adjust /
// give-back sequences, run once plainly and once with retries (the same external ids sent
// again, right away or interleaved later). At every step the invariants hold and balances
// match an independent model written here; both runs end with identical ledgers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <tuple>

#include "unit/points_fixture.hpp"

using namespace points_test;

namespace {

// ---- the model: lots and debts, nothing else -------------------------------------------------
struct MLot {
  int customer;
  std::int64_t remaining;
  Instant earned, effective, expires;
  int seq;  // creation order (the store's entry ids are increasing too)
};
struct MDebt {
  int customer;
  std::int64_t outstanding;
};
struct MPurchase {
  int customer;
  std::int64_t amount, earned = 0, refunded = 0, reversed = 0;
  int lot = -1;
};
struct MRedemption {
  int customer;
  std::string ext;
  std::vector<std::pair<int, std::int64_t>> taken;  // (lot, points) in consumption order, net of give-backs
};

constexpr std::int64_t kExpiryDays = 20, kPendingDays = 2;

struct Model {
  Consumption order;
  RefundPolicy policy;
  std::vector<MLot> lots;
  std::vector<MDebt> debts;
  int seq = 0;

  std::int64_t available(int c, Instant t) const {
    std::int64_t s = 0;
    for (const auto& l : lots)
      if (l.customer == c && l.effective <= t && l.expires > t) s += l.remaining;
    return s;
  }
  std::int64_t pending(int c, Instant t) const {
    std::int64_t s = 0;
    for (const auto& l : lots)
      if (l.customer == c && l.effective > t && l.expires > t) s += l.remaining;
    return s;
  }
  std::int64_t debt(int c) const {
    std::int64_t s = 0;
    for (const auto& d : debts)
      if (d.customer == c) s += d.outstanding;
    return s;
  }
  void repay(int lot) {
    auto& l = lots[static_cast<std::size_t>(lot)];
    for (auto& d : debts) {
      if (d.customer != l.customer || d.outstanding == 0) continue;
      std::int64_t pay = std::min(d.outstanding, l.remaining);
      d.outstanding -= pay;
      l.remaining -= pay;
    }
  }
  int open(int c, std::int64_t pts, Instant earned, Instant effective) {
    lots.push_back({c, pts, earned, effective, effective + kExpiryDays * kMillisPerDay, seq++});
    int id = static_cast<int>(lots.size()) - 1;
    repay(id);
    return id;
  }
  std::vector<int> candidates(int c, Instant t, bool only_available, int first) const {
    std::vector<int> ids;
    for (int i = 0; i < static_cast<int>(lots.size()); ++i) {
      const auto& l = lots[static_cast<std::size_t>(i)];
      if (l.customer != c || l.remaining == 0 || l.expires <= t) continue;
      if (only_available && l.effective > t) continue;
      ids.push_back(i);
    }
    auto key = [&](int i) {
      const auto& l = lots[static_cast<std::size_t>(i)];
      return std::make_tuple(i == first ? 0 : 1, l.effective > t ? 1 : 0,
                             order == Consumption::fefo ? l.expires : 0, l.earned, l.seq);
    };
    std::sort(ids.begin(), ids.end(), [&](int a, int b) { return key(a) < key(b); });
    return ids;
  }
  std::int64_t coverable(int c, Instant t, bool only_available, int first) const {
    std::int64_t s = 0;
    for (int i : candidates(c, t, only_available, first)) s += lots[static_cast<std::size_t>(i)].remaining;
    return s;
  }
  // Takes `amount`; returns what it took per lot; the rest becomes a debt.
  std::vector<std::pair<int, std::int64_t>> take(int c, std::int64_t amount, Instant t, bool only_available, int first) {
    std::vector<std::pair<int, std::int64_t>> out;
    for (int i : candidates(c, t, only_available, first)) {
      if (amount == 0) break;
      auto& l = lots[static_cast<std::size_t>(i)];
      std::int64_t x = std::min(amount, l.remaining);
      l.remaining -= x;
      amount -= x;
      out.emplace_back(i, x);
    }
    if (amount > 0) debts.push_back({c, amount});
    return out;
  }
  void expire(Instant t) {
    for (auto& l : lots)
      if (l.expires <= t) l.remaining = 0;
  }
};

struct Snapshot {
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string, std::int64_t, Instant, Instant, std::string>> ledger;
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> balances;
  bool saw_debt = false, saw_rejection = false, saw_give_back = false;  // coverage, not compared
  bool operator==(const Snapshot& o) const { return ledger == o.ledger && balances == o.balances; }
};

Errc code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::internal;
}

Snapshot run(std::uint64_t seed, Consumption order, RefundPolicy policy, bool retries) {
  Fixture f;
  auto pid = f.simple_programme(policy, static_cast<int>(kExpiryDays), static_cast<int>(kPendingDays), order);
  std::mt19937_64 rng(seed), retry_rng(seed ^ 0x5eed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  Model m{order, policy, {}, {}, 0};
  const int kCustomers = 3;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kCustomers; ++i) {
    ids.push_back(f.customer("c" + std::to_string(i)));
    f.points.enroll(pid, ids.back(), day(0));
  }
  std::vector<MPurchase> purchases;
  std::vector<std::int64_t> purchase_ids;
  std::vector<MRedemption> redemptions;
  // Requests that succeeded: sending one again must be a replay that writes nothing.
  std::vector<std::function<PointsResult()>> done;
  auto retry = [&](const std::function<PointsResult()>& op, const PointsResult& first) {
    auto before = f.footprint();
    auto again = op();
    REQUIRE(again.replayed);
    REQUIRE(again.request_id == first.request_id);
    REQUIRE(again.entry_id == first.entry_id);
    REQUIRE(again.points == first.points);
    REQUIRE(f.footprint() == before);
  };
  auto submit = [&](std::function<PointsResult()> op) {
    auto first = op();
    REQUIRE_FALSE(first.replayed);
    if (retries) {
      if (retry_rng() % 5 == 0) retry(op, first);
      if (!done.empty() && retry_rng() % 3 == 0) {
        auto& old = done[retry_rng() % done.size()];
        auto again = old();
        REQUIRE(again.replayed);
      }
    }
    done.push_back(op);
    return first;
  };

  Snapshot s;
  Instant t = day(1);
  for (int step = 0; step < 300; ++step) {
    t += uniform(0, 2 * kMillisPerDay);
    int c = static_cast<int>(uniform(0, kCustomers - 1));
    std::int64_t cid = ids[static_cast<std::size_t>(c)];
    std::string ext = "op" + std::to_string(step);
    int what = static_cast<int>(uniform(0, 99));
    if (what < 30) {  // purchase and earn
      std::int64_t amount = uniform(0, 20000);
      auto id = f.purchase(cid, t, amount);
      auto res = submit([&f, pid, id] { return f.points.earn_for_purchase(pid, id); });
      MPurchase p{c, amount};
      p.earned = amount / 100;
      REQUIRE(res.points == p.earned);
      if (p.earned > 0) p.lot = m.open(c, p.earned, t, t + kPendingDays * kMillisPerDay);
      purchases.push_back(p);
      purchase_ids.push_back(id);
    } else if (what < 55) {  // redeem
      std::int64_t k = uniform(1, 60);
      std::int64_t spendable = std::max<std::int64_t>(0, m.available(c, t) - m.debt(c));
      if (spendable < k) {
        auto fp = f.footprint();
        REQUIRE(code_of([&] { f.points.redeem(pid, cid, k, ext, t); }) == Errc::conflict);
        REQUIRE(f.footprint() == fp);
      } else {
        auto res = submit([&f, pid, cid, k, ext, t] { return f.points.redeem(pid, cid, k, ext, t); });
        REQUIRE(res.points == -k);
        MRedemption r{c, ext, m.take(c, k, t, true, -1)};
        redemptions.push_back(r);
      }
    } else if (what < 70 && !purchases.empty()) {  // refund part of a purchase
      auto pi = static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(purchases.size()) - 1));
      auto& p = purchases[pi];
      if (p.refunded >= p.amount || p.amount == 0) continue;
      std::int64_t r = uniform(1, p.amount - p.refunded);
      std::int64_t cum = p.refunded + r;
      std::int64_t delta = p.earned * cum / p.amount - p.reversed;
      std::int64_t pcid = ids[static_cast<std::size_t>(p.customer)];
      (void)pcid;
      auto pur = purchase_ids[pi];
      if (policy == RefundPolicy::reject && delta > 0 && m.coverable(p.customer, t, false, p.lot) < delta) {
        auto fp = f.footprint();
        REQUIRE(code_of([&] { f.points.reverse_purchase(pid, pur, r, ext, t); }) == Errc::conflict);
        s.saw_rejection = true;
        REQUIRE(f.footprint() == fp);
        continue;
      }
      auto res = submit([&f, pid, pur, r, ext, t] { return f.points.reverse_purchase(pid, pur, r, ext, t); });
      REQUIRE(res.points == -delta);
      p.refunded = cum;
      p.reversed += delta;
      if (delta > 0) m.take(p.customer, delta, t, false, p.lot);
    } else if (what < 78) {  // nightly expiry
      auto res = submit([&f, pid, t, ext] { return f.points.expire(pid, t, ext); });
      (void)res;
      m.expire(t);
    } else if (what < 92) {  // adjustment
      std::int64_t k = uniform(-40, 40);
      if (k == 0) continue;
      if (k < 0 && policy == RefundPolicy::reject && m.coverable(c, t, false, -1) < -k) {
        auto fp = f.footprint();
        REQUIRE(code_of([&] { f.points.adjust(pid, cid, k, "fix", ext, t); }) == Errc::conflict);
        REQUIRE(f.footprint() == fp);
        continue;
      }
      submit([&f, pid, cid, k, ext, t] { return f.points.adjust(pid, cid, k, "fix", ext, t); });
      if (k > 0) m.open(c, k, t, t);
      else m.take(c, -k, t, false, -1);
    } else if (!redemptions.empty()) {  // give back part of a redemption
      auto& r = redemptions[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(redemptions.size()) - 1))];
      std::int64_t left = 0;
      for (const auto& [lot, x] : r.taken) left += x;
      if (left == 0) continue;
      std::int64_t k = uniform(1, left);
      auto rext = r.ext;
      auto res = submit([&f, pid, rext, k, ext, t] { return f.points.reverse_redemption(pid, rext, k, ext, t); });
      REQUIRE(res.points == k);
      s.saw_give_back = true;
      std::int64_t give = k;
      std::vector<int> touched;
      for (auto it = r.taken.rbegin(); it != r.taken.rend() && give > 0; ++it) {
        std::int64_t x = std::min(give, it->second);
        if (x == 0) continue;
        it->second -= x;
        m.lots[static_cast<std::size_t>(it->first)].remaining += x;
        touched.push_back(it->first);
        give -= x;
      }
      for (int lot : touched) m.repay(lot);
    }
    f.points.check_invariants(pid);
    for (int i = 0; i < kCustomers; ++i) {
      auto b = f.points.balance(pid, ids[static_cast<std::size_t>(i)], t);
      INFO("step " << step << " customer " << i);
      REQUIRE(b.available == m.available(i, t));
      REQUIRE(b.pending == m.pending(i, t));
      REQUIRE(b.debt == m.debt(i));
      s.saw_debt = s.saw_debt || b.debt > 0;
      if (policy == RefundPolicy::reject) REQUIRE(b.debt == 0);
      REQUIRE(b.balance >= (policy == RefundPolicy::allow_negative ? -b.debt : 0));
    }
  }
  std::int64_t after = 0;
  do {
    auto page = f.points.ledger(pid, 0, after, 97);
    for (const auto& e : page.entries)
      s.ledger.emplace_back(e.id, e.customer_id, to_string(e.kind), e.points, e.created_at, e.effective_at,
                            e.external_id);
    after = page.next_after;
  } while (after);
  for (auto id : ids) {
    auto b = f.points.balance(pid, id, t);
    s.balances.emplace_back(b.available, b.pending, b.debt, b.balance);
  }
  return s;
}

}  // namespace

TEST_CASE("ledger property: random sequences, retried, match the model and each other", "[points][property]") {
  for (auto order : {Consumption::fifo, Consumption::fefo}) {
    for (auto policy : {RefundPolicy::allow_negative, RefundPolicy::clamp_debt, RefundPolicy::reject}) {
      for (std::uint64_t seed : {1u, 2u}) {
        INFO("order " << to_string(order) << " policy " << to_string(policy) << " seed " << seed);
        auto plain = run(seed, order, policy, false);
        auto retried = run(seed, order, policy, true);
        CHECK(plain.ledger.size() > 100);
        CHECK(plain == retried);
        CHECK(plain.saw_give_back);
        CHECK((policy == RefundPolicy::reject ? plain.saw_rejection : plain.saw_debt));
      }
    }
  }
}
