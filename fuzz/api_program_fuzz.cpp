// Fuzzes sequences of API calls: the input is decoded as a program (create, upsert, update,
// remove customers; record single interactions and batches; page through timelines; open,
// commit and roll back transactions; read figures; rebuild) on a fresh in-memory store, with
// arguments taken from the input, extreme values included. Every call returns or throws
// crmkit::Error (anything else aborts); at the end the file is intact and the kept figures
// equal a full recompute.

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "program_input.hpp"
#include "store/connection.hpp"

using namespace crmkit;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

const char* const kTexts[] = {"a", "", "x'); DROP TABLE customers;--", "\xc3\x28", "\xf0\x9f\x98\x80",
                             "USD", "usd", "EUR", "JPY", "ZZZ", "{}", "{\"a\":1}", "[1]", "{\"a\":"};

struct Input : ProgramInput {
  std::int64_t int64() {  // mostly small, sometimes the edges
    return ProgramInput::int64(
        [this](std::uint8_t sel) { return static_cast<std::int64_t>(byte()) * 1000 - 5000 + sel; });
  }
  std::string text() { return ProgramInput::text(kTexts, 24); }
};

std::string figures(Store& s) {
  std::string out;
  for (const char* sql : {"SELECT * FROM customer_figures ORDER BY customer_id",
                          "SELECT * FROM customer_money ORDER BY customer_id, currency"}) {
    auto qp = crmkit::detail::connection_of(s).db.statement(sql);
    auto& q = *qp;
    while (q.executeStep()) {
      for (int i = 0; i < q.getColumnCount(); ++i) out += q.getColumn(i).getString() + ",";
      out += "\n";
    }
  }
  return out;
}

Interaction interaction(Input& in, const std::vector<std::int64_t>& ids) {
  Interaction i;
  std::uint8_t c = in.byte();
  i.customer_id = (!ids.empty() && c < 230) ? ids[c % ids.size()] : in.int64();
  if (in.byte() < 160) i.external_id = "e" + std::to_string(in.byte() % 32);
  i.occurred_at = in.byte() < 200 ? 1'600'000'000'000 + (in.int64() % 100000) * 3'600'000 : in.int64();
  i.channel = static_cast<Channel>(in.byte() % 9);             // 8 is out of range
  i.kind = static_cast<InteractionKind>(in.byte() % 12);       // 11 is out of range
  i.direction = static_cast<Direction>(in.byte() % 4);
  std::uint8_t a = in.byte();
  if (a % 4 != 0) i.amount = Money{(a & 0x80) ? in.int64() : static_cast<std::int64_t>(a) * 10, in.text()};
  if (a % 5 == 0) i.margin = in.int64();
  if (in.byte() % 4 == 0) i.notes = in.text();
  if (in.byte() % 4 == 0) i.attributes = in.text();
  return i;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{{data, size}};
  Store store = Store::open(":memory:");
  Customers customers(store);
  Interactions interactions(store);
  std::optional<Transaction> tx;
  std::vector<std::int64_t> ids;
  for (int step = 0; step < 200 && in.n; ++step) {
    std::uint8_t op = in.byte() % 14;
    try {
      switch (op) {
        case 0:
        case 1: {
          CustomerFields f;
          if (op == 1 || in.byte() % 2) f.external_id = "c" + std::to_string(in.byte() % 16);
          f.created_at = in.int64();
          if (in.byte() % 3 == 0) f.email = in.text();
          if (in.byte() % 3 == 0) f.attributes = in.text();
          if (in.byte() % 3 == 0) f.tags = std::vector<std::string>{in.text(), in.text()};
          if (in.byte() % 3 == 0) f.acquisition_cost = Money{in.int64(), in.text()};
          ids.push_back(op == 0 ? customers.create(f) : customers.upsert(f));
          break;
        }
        case 2: {
          CustomerFields f;
          f.display_name = in.text();
          if (in.byte() % 2) f.clear = {in.text()};
          customers.update(ids.empty() ? in.int64() : ids[in.byte() % ids.size()], f, in.int64());
          break;
        }
        case 3: customers.remove(ids.empty() ? in.int64() : ids[in.byte() % ids.size()]); break;
        case 4: interactions.record(interaction(in, ids)); break;
        case 5: {
          std::vector<Interaction> batch(in.byte() % 17);
          for (auto& i : batch) i = interaction(in, ids);
          BatchOptions o;
          o.skip_invalid = in.byte() % 2;
          BatchResult r = interactions.record_batch(batch, o);
          require(r.ids.size() == batch.size());
          require(r.inserted + r.duplicates + r.errors.size() == batch.size());
          break;
        }
        case 6: {
          if (ids.empty()) break;
          const std::int64_t id = ids[in.byte() % ids.size()];
          const int limit = in.byte() % 5;  // 0 is refused
          TimelinePage page = interactions.timeline(id, {}, limit);
          for (int pages = 0; page.has_more && pages < 50; ++pages) {
            auto next = interactions.timeline(id, {}, limit, page.next_before_time, page.next_before_id);
            require(next.interactions.empty() ||
                    next.interactions.front().occurred_at <= page.interactions.back().occurred_at);
            page = std::move(next);
          }
          break;
        }
        case 7:
          if (!tx) tx.emplace(store);
          else Transaction again(store);  // must be refused: misuse
          break;
        case 8:
          if (tx) {
            tx->commit();
            tx.reset();
          }
          break;
        case 9:
          if (tx) {
            tx->rollback();
            tx.reset();
          }
          break;
        case 10:
          if (!ids.empty()) interactions.figures(ids[in.byte() % ids.size()]);
          break;
        case 11: customers.list({}, in.int64(), 1 + in.byte() % 50); break;
        case 12: interactions.rebuild_figures(); break;
        case 13: interactions.get(in.int64()); break;
      }
    } catch (const Error&) {
      // A refusal is a valid outcome; what matters is the state checked below.
    }
  }
  if (tx) {
    try {
      tx->commit();
    } catch (const Error&) {
    }
    tx.reset();
  }
  require(!store.in_transaction());
  require(crmkit::detail::connection_of(store).db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  {
    auto fk = crmkit::detail::connection_of(store).db.statement("PRAGMA foreign_key_check");
    require(!fk->executeStep());
  }
  std::string kept = figures(store);
  {
    Transaction check(store);
    interactions.rebuild_figures();
    require(figures(store) == kept);
    check.rollback();
  }
  return 0;
}
