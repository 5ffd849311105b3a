// The synthetic population of `crmkit demo`: customers and their interactions over a fixed
// calendar window, deterministic for a seed (own samplers over std::mt19937_64, whose output
// the C++ standard fixes, so every standard library gives the same data).
#pragma once

#include <cstdint>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"

namespace crmkit::cli {

struct DemoPopulation {
  std::vector<CustomerFields> customers;
  // Interactions with customer_id = index into customers (replaced by the real id on ingest),
  // ordered by customer then time.
  std::vector<Interaction> interactions;
};

// Purchases follow a buy-till-you-die process: each customer buys at a Poisson rate drawn from
// a Gamma and may drop out after each purchase with a probability drawn from a Beta; spend per
// purchase is Gamma with a customer-specific scale drawn from a Gamma (the Gamma-Gamma model).
// Support contacts, newsletter opens and clicks, visits and a few refunds come on top.
DemoPopulation make_demo_population(std::uint64_t seed, int customers, Instant start, Instant end);

}  // namespace crmkit::cli
