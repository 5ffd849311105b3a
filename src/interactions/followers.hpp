// What happens, in the recording transaction, after new interactions are inserted. The one
// place where other areas hook into ingest (figures, lifecycle stages, automatic points earning).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "crmkit/interaction.hpp"

namespace crmkit::detail {

struct Connection;

// A newly inserted interaction as the followers see it: compact, no allocation per row.
struct RecordedInteraction {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  Instant occurred_at = 0;
  InteractionKind kind = InteractionKind::other;
  bool has_amount = false;
  std::int64_t amount = 0;               // minor units (valid when has_amount)
  bool has_margin = false;
  std::int64_t margin = 0;
  std::array<char, 4> currency{};        // NUL-terminated ISO-4217 code when has_amount
  const Interaction* source = nullptr;   // the caller's full record, valid during the call
};

// Called once per record() / record_batch() with the rows it inserted (duplicates and skipped
// rows excluded), in id order, inside the recording transaction. Throwing aborts the whole
// recording. Must stay cheap: it runs on every ingest.
void after_interactions_recorded(Connection& conn, const std::vector<RecordedInteraction>& rows);

}  // namespace crmkit::detail
