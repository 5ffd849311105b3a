// crmkit quickstart (C++ API, static library): open a database, upsert two customers, record
// purchases and an email, then print a timeline and the figures kept for each customer.
#include <cstdio>
#include <filesystem>
#include <string>

#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

int main() {
  namespace fs = std::filesystem;
  const fs::path path = fs::temp_directory_path() / "crmkit-quickstart-cpp.db";
  fs::remove(path);
  try {
    crmkit::Store store = crmkit::Store::open(path.string());
    crmkit::Customers customers(store);
    crmkit::Interactions interactions(store);

    // Times are explicit (nothing in crmkit reads the clock): milliseconds since the epoch, UTC.
    const crmkit::Instant jan = crmkit::parse_instant("2025-01-15T10:00:00Z");

    crmkit::CustomerFields ada;
    ada.external_id = "crm-1001";
    ada.given_name = "Ada";
    ada.family_name = "Lovelace";
    ada.email = "Ada@Example.com";  // stored normalised: ada@example.com
    ada.country = "GB";
    ada.created_at = jan;
    const std::int64_t ada_id = customers.upsert(ada);

    crmkit::CustomerFields grace;
    grace.external_id = "crm-1002";
    grace.display_name = "Grace Hopper";
    grace.country = "US";
    grace.created_at = jan;
    const std::int64_t grace_id = customers.upsert(grace);

    // Record everything of this import as one transaction.
    crmkit::Transaction tx(store);
    auto purchase = [&](std::int64_t who, const char* when, const char* amount, const char* order) {
      crmkit::Interaction i;
      i.customer_id = who;
      i.occurred_at = crmkit::parse_instant(when);
      i.channel = crmkit::Channel::web;
      i.kind = crmkit::InteractionKind::purchase;
      i.amount = crmkit::Money{crmkit::parse_amount(amount, "USD"), "USD"};
      i.external_id = order;  // idempotency key: recording it twice stores it once
      return interactions.record(i);
    };
    purchase(ada_id, "2025-01-20T12:30:00Z", "49.90", "order-1");
    purchase(ada_id, "2025-02-03T09:15:00Z", "15.00", "order-2");
    purchase(grace_id, "2025-02-10T16:00:00Z", "120.00", "order-3");
    crmkit::Interaction email;
    email.customer_id = ada_id;
    email.occurred_at = crmkit::parse_instant("2025-02-04T08:00:00Z");
    email.channel = crmkit::Channel::email;
    email.kind = crmkit::InteractionKind::email_open;
    email.subject = "February newsletter";
    interactions.record(email);
    tx.commit();

    std::printf("Timeline of %s (newest first):\n", ada.external_id->c_str());
    for (const auto& i : interactions.timeline(ada_id).interactions)
      std::printf("  %s  %-5s %-10s %s\n", crmkit::format_instant(i.occurred_at).c_str(), crmkit::to_string(i.channel),
                  crmkit::to_string(i.kind),
                  i.amount ? (crmkit::format_amount(i.amount->minor, i.amount->currency) + " " + i.amount->currency).c_str()
                           : i.subject.value_or("").c_str());

    for (std::int64_t id : {ada_id, grace_id}) {
      crmkit::CustomerFigures f = interactions.figures(id);
      std::printf("customer %lld: %lld purchases", static_cast<long long>(id), static_cast<long long>(f.purchase_count));
      for (const auto& m : f.money)
        std::printf(", %s %s spent", crmkit::format_amount(m.purchase_total, m.currency).c_str(), m.currency.c_str());
      std::printf("\n");
    }
    if (interactions.figures(ada_id).purchase_count != 2) return 1;
  } catch (const crmkit::Error& e) {
    std::fprintf(stderr, "crmkit: %s: %s\n", crmkit::errc_name(e.code()), e.what());
    return 1;
  }
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  return 0;
}
