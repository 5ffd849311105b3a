// The deterministic content of crash-test batches, shared by the writer child and the checker:
// batch b has rows_in(b) interactions with external ids "b<b>-<row>".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"

namespace reliability {

constexpr int kCustomers = 20;
constexpr std::int64_t kBaseTime = 1'700'000'000'000;  // 2023-11-14

// Customer c (1..kCustomers) of a baseline file: the ids the batches' rows refer to.
inline crmkit::CustomerFields baseline_customer(int c) {
  crmkit::CustomerFields f;
  f.external_id = "c" + std::to_string(c);
  f.created_at = kBaseTime - 86'400'000;
  return f;
}

inline int rows_in(std::int64_t batch) { return 1 + static_cast<int>((batch * 7919) % 40); }

inline std::vector<crmkit::Interaction> batch_rows(std::int64_t batch) {
  std::vector<crmkit::Interaction> rows;
  const int n = rows_in(batch);
  rows.reserve(n);
  for (int r = 0; r < n; ++r) {
    crmkit::Interaction i;
    i.customer_id = 1 + (batch * 31 + r) % kCustomers;
    i.external_id = "b" + std::to_string(batch) + "-" + std::to_string(r);
    // Spread over days (purchase_days) and out of order (figures must handle late arrivals).
    i.occurred_at = kBaseTime + ((batch * 7 + r * 13) % 97) * 3'600'000 + r;
    i.channel = crmkit::Channel::web;
    switch (r % 3) {
      case 0:
        i.kind = crmkit::InteractionKind::purchase;
        i.amount = crmkit::Money{(batch * 100 + r) % 5000, r % 2 ? "EUR" : "USD"};
        i.margin = i.amount->minor / 4;
        break;
      case 1:
        i.kind = crmkit::InteractionKind::refund;
        i.amount = crmkit::Money{-(r % 50), "USD"};
        break;
      default:
        i.kind = crmkit::InteractionKind::visit;
        i.notes = std::string(200, 'n');  // fills pages so that commits span several
    }
    rows.push_back(std::move(i));
  }
  return rows;
}

}  // namespace reliability
