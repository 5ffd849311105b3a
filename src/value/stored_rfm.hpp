// The stored RFM run (rfm_run, customer_rfm) read row by row, for the readers that aggregate it
// (the report's segments, the store's RFM charts): the table's SQL stays in the value area.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crmkit/rfm.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::value_detail {

struct StoredRfmRun {
  Instant as_of = 0;
  std::string map_name;
  std::int64_t map_version = 0;
  std::string currency;  // empty when the run recorded none
};
// The last run's settings, or nullopt when no RFM run is saved.
std::optional<StoredRfmRun> stored_rfm_run(Store& store);

struct StoredRfmRow {
  std::int64_t customer_id = 0;
  Instant last_purchase_at = 0;
  std::int64_t frequency = 0;
  std::int64_t monetary = 0;  // minor units of the run's currency
  RfmScore score;
  std::string segment;
};
// Every customer_rfm row in customer id order; one row in memory at a time.
void each_stored_rfm(Store& store, const std::function<void(const StoredRfmRow&)>& row);

}  // namespace crmkit::value_detail
