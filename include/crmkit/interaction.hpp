// crmkit/interaction.hpp: every touchpoint with a customer, and the figures derived from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/json_form.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class Channel { email, phone, chat, sms, social, web, store, other };
enum class InteractionKind {
  purchase, refund, inquiry, complaint, support, visit, email_open, email_click, meeting, note, other
};
enum class Direction { inbound, outbound, none };

const char* to_string(Channel c) noexcept;
const char* to_string(InteractionKind k) noexcept;
const char* to_string(Direction d) noexcept;
Channel parse_channel(const std::string& text, const char* field = "channel");
InteractionKind parse_interaction_kind(const std::string& text, const char* field = "kind");
Direction parse_direction(const std::string& text, const char* field = "direction");

// An interaction. amount: required and >= 0 for purchases, <= 0 for refunds, absent otherwise;
// margin only with an amount.
struct Interaction {
  std::int64_t id = 0;                      // set by the store
  std::int64_t customer_id = 0;
  std::optional<std::string> external_id;   // idempotency key, unique
  Instant occurred_at = 0;
  Channel channel = Channel::other;
  InteractionKind kind = InteractionKind::other;
  Direction direction = Direction::none;
  std::optional<Money> amount;
  std::optional<std::int64_t> margin;       // minor units of amount's currency
  std::optional<std::string> subject;
  std::optional<std::string> notes;
  std::optional<std::string> attributes;    // a JSON object
};

struct BatchOptions {
  // false (default): the first invalid row aborts the batch, nothing is written and the error
  // names its index. true: invalid rows are skipped and listed; the rest commits.
  bool skip_invalid = false;
  // Interactions only. false (default): a row without an external_id is identified by its
  // natural key (customer, occurred_at, channel, kind, direction, amount, currency, margin,
  // subject, notes, attributes), so importing the same rows again records nothing new and a
  // second identical row, in the same batch or a later one, is a duplicate. true: such rows
  // are recorded as they come, for true repeats (two identical coffees in one millisecond).
  // Rows with an external_id are identified by it either way.
  bool allow_repeats = false;
};

struct RowError {
  std::size_t index;   // position in the batch
  Errc code;
  std::string message;
};

struct BatchResult {
  std::vector<std::int64_t> ids;   // per input row; 0 for a skipped row
  std::size_t inserted = 0;        // new rows
  std::size_t duplicates = 0;      // rows recorded before: the sum of the two below
  std::size_t duplicate_external_ids = 0;  // same external_id, same content
  std::size_t duplicate_natural_keys = 0;  // no external_id, same natural key (BatchOptions)
  std::vector<RowError> errors;    // skipped rows (skip_invalid only)
};

struct TimelineFilter {
  std::optional<Channel> channel;
  std::optional<InteractionKind> kind;
  std::optional<Instant> from;     // occurred_at >= from
  std::optional<Instant> to;       // occurred_at < to
};

// Newest first. Continue with next_before_time/next_before_id; done when has_more is false.
struct TimelinePage {
  std::vector<Interaction> interactions;
  bool has_more = false;
  Instant next_before_time = 0;
  std::int64_t next_before_id = 0;
};

struct MoneyFigures {
  std::string currency;
  std::int64_t purchase_total = 0;   // sum of purchase amounts (minor units)
  std::int64_t refund_total = 0;     // sum of refund amounts (<= 0)
  std::int64_t margin_total = 0;
};

// Kept current in the transaction that records each interaction.
struct CustomerFigures {
  std::int64_t customer_id = 0;
  std::int64_t interaction_count = 0;
  std::optional<Instant> last_interaction_at;
  std::int64_t purchase_count = 0;
  std::int64_t purchase_days = 0;     // distinct UTC days with a purchase
  std::int64_t refund_count = 0;
  std::optional<Instant> first_purchase_at;
  std::optional<Instant> last_purchase_at;
  std::vector<MoneyFigures> money;    // per currency, sorted by currency
};

// An interaction and a customer's figures as JSON text: readable (ISO-8601 instants, decimal
// amounts) is what the command line prints, exact what the C API returns (crmkit/json_form.hpp).
std::string to_json(const Interaction& i, JsonForm form = JsonForm::readable);
std::string to_json(const CustomerFigures& f, JsonForm form = JsonForm::readable);

class Interactions {
 public:
  explicit Interactions(Store& store) : store_(store) {}

  // Records one interaction. With an external_id seen before: same content returns the
  // existing id, different content throws conflict.
  std::int64_t record(const Interaction& interaction);

  // Records many in one transaction (joins the caller's transaction if one is open). Rows
  // without an external_id are idempotent by natural key unless options.allow_repeats (see
  // BatchOptions); record() above always records such a row anew.
  BatchResult record_batch(const std::vector<Interaction>& batch, const BatchOptions& options = {});

  Interaction get(std::int64_t id);
  TimelinePage timeline(std::int64_t customer_id, const TimelineFilter& filter = {}, int limit = 50,
                        std::optional<Instant> before_time = std::nullopt,
                        std::optional<std::int64_t> before_id = std::nullopt);

  CustomerFigures figures(std::int64_t customer_id);
  // Recomputes every customer's figures from the facts (repair, or after bulk SQL).
  void rebuild_figures();

 private:
  Store store_;
};

}  // namespace crmkit
