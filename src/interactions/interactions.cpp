// Interactions: recording (single and batch, idempotent on external_id), reading, timeline.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/batch_error.hpp"
#include "crmkit/interaction.hpp"
#include "interactions/figures.hpp"
#include "interactions/followers.hpp"
#include "interactions/interaction_rules.hpp"
#include "interactions/month_figures.hpp"
#include "interactions/natural_key.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using detail::RecordedInteraction;

constexpr const char* kColumns =
    "id, customer_id, external_id, occurred_at, channel, kind, direction, amount, currency, margin, subject, notes, "
    "attributes";

// Stored enum text to the enum without building a string (`last` is the highest enumerator).
template <class E>
E enum_from(const detail::StoredRow& r, int col, E last) {
  const char* text = r.name(col);
  for (int k = 0; k <= static_cast<int>(last); ++k)
    if (std::strcmp(text, to_string(static_cast<E>(k))) == 0) return static_cast<E>(k);
  r.damaged(col, fmt::format("'{}' is not a known name", detail::printable(text)));
}

Interaction read_row(detail::Statement& st) {
  const detail::StoredRow r(st, "interactions");
  Interaction i;
  r.columns(0, i.id, i.customer_id, i.external_id, i.occurred_at);
  i.channel = enum_from<Channel>(r, 4, Channel::other);
  i.kind = enum_from<InteractionKind>(r, 5, InteractionKind::other);
  i.direction = enum_from<Direction>(r, 6, Direction::none);
  if (auto amount = r.opt_int64(7)) i.amount = Money{*amount, r.text(8)};
  r.columns(9, i.margin, i.subject, i.notes);
  i.attributes = r.opt_json_object(12);
  return i;
}

// The first field in which a stored interaction differs from a new one, or nullptr.
const char* first_difference(const Interaction& stored, const Interaction& in, const std::optional<std::string>& attrs) {
  if (stored.customer_id != in.customer_id) return "customer_id";
  if (stored.occurred_at != in.occurred_at) return "occurred_at";
  if (stored.channel != in.channel) return "channel";
  if (stored.kind != in.kind) return "kind";
  if (stored.direction != in.direction) return "direction";
  if (stored.amount.has_value() != in.amount.has_value() ||
      (stored.amount && (stored.amount->minor != in.amount->minor)))
    return "amount";
  if (stored.amount && stored.amount->currency != in.amount->currency) return "currency";
  if (stored.margin != in.margin) return "margin";
  if (stored.subject != in.subject) return "subject";
  if (stored.notes != in.notes) return "notes";
  if (stored.attributes != attrs) return "attributes";
  return nullptr;
}

struct Outcome {
  std::int64_t id;
  bool inserted;
};

// The error for a fact recorded before whose content differs from `in`'s in `field`.
Error changed_fact(const Interaction& in, std::int64_t stored_id, const char* field) {
  if (!in.external_id)
    return Error(Errc::conflict, fmt::format("the natural key of this interaction is that of interaction {}, "
                                             "which differs in {} (a hash collision): record it with allow_repeats",
                                             stored_id, field));
  return Error(Errc::conflict, fmt::format("external_id '{}' was recorded before as interaction {} with a different {}",
                                           detail::printable(*in.external_id), stored_id, field));
}

// The three statements of recording, shared by the row path and the pipelined passes.
// The key hashes the customer and the instant, so a repeat sits under the same
// (customer_id, occurred_at) in the timeline index: no index of its own (migration 0011).
detail::Statement& by_natural_key(Connection& conn) {
  return conn.prepare(fmt::format(
      "SELECT {} FROM interactions WHERE customer_id = ? AND occurred_at = ? AND natural_key = ?", kColumns));
}
detail::Statement& by_external_id(Connection& conn) {
  return conn.prepare(fmt::format("SELECT {} FROM interactions WHERE external_id = ?", kColumns));
}
detail::Statement& insert_statement(Connection& conn) {
  return detail::prepare_insert(conn,
      "INSERT INTO interactions(customer_id, external_id, occurred_at, channel, kind, direction, amount, currency, "
      "margin, subject, notes, attributes, natural_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
}

detail::BorrowedBlob blob_of(const detail::NaturalKey& key) { return {key.data(), static_cast<int>(key.size())}; }

void bind_insert(detail::Statement& st, const Interaction& in, const std::optional<std::string>& attrs,
                 detail::BorrowedBlob natural_key) {
  std::optional<std::int64_t> amount;
  detail::BorrowedText currency;
  if (in.amount) {
    amount = in.amount->minor;
    currency = detail::borrowed(in.amount->currency);
  }
  detail::bind_all(st, in.customer_id, detail::borrowed(in.external_id), in.occurred_at, in.channel, in.kind,
                   in.direction, amount, currency, in.margin, detail::borrowed(in.subject), detail::borrowed(in.notes),
                   detail::borrowed(attrs), natural_key);
}

// Inserts one checked interaction. It is identified by its external_id or, without one, by
// its natural key when `key` is given: a fact seen before gives the existing id when the
// content is the same and conflict otherwise (for a natural key, only a hash collision). A
// failed insert leaves nothing behind (SQLite rolls back the failing statement only), so
// batches can skip the row and carry on.
Outcome insert_one(Connection& conn, const Interaction& in, const std::optional<std::string>& attrs,
                   const detail::NaturalKey* key = nullptr) {
  detail::BorrowedBlob natural_key;
  if (key && !in.external_id) {
    natural_key = blob_of(*key);
    // The write lock is held, so nothing can record the key between this look-up and the insert.
    auto& q = by_natural_key(conn);
    detail::StatementReset done(q);
    detail::bind_all(q, in.customer_id, in.occurred_at, natural_key);
    if (q.executeStep()) {
      const Interaction stored = read_row(q);
      if (const char* field = first_difference(stored, in, attrs)) throw changed_fact(in, stored.id, field);
      return {stored.id, false};
    }
  }
  auto& st = insert_statement(conn);
  detail::StatementReset done(st);
  bind_insert(st, in, attrs, natural_key);
  std::optional<std::int64_t> id;
  try {
    id = detail::inserted_id(conn, st);
  } catch (const detail::SqlError& e) {
    const bool missing_customer = e.code() == detail::SqlCode::foreign_key;
    if (missing_customer)
      throw Error(Errc::not_found, fmt::format("customer_id {} does not exist", in.customer_id));
    throw;
  }
  if (id) return {*id, true};
  // Only an external_id can be taken here: the natural key was looked up above.
  if (!in.external_id) throw Error(Errc::internal, "an interaction insert changed nothing");
  Interaction stored;
  {
    auto& q = by_external_id(conn);
    detail::StatementReset done(q);
    detail::bind_all(q, *in.external_id);
    if (!q.executeStep()) throw Error(Errc::internal, "an interaction insert changed nothing");
    stored = read_row(q);
  }
  if (const char* field = first_difference(stored, in, attrs)) throw changed_fact(in, stored.id, field);
  return {stored.id, false};
}

RecordedInteraction recorded(const Interaction& in, std::int64_t id) {
  RecordedInteraction r;
  r.id = id;
  r.customer_id = in.customer_id;
  r.occurred_at = in.occurred_at;
  r.kind = in.kind;
  if (in.amount) {
    r.has_amount = true;
    r.amount = in.amount->minor;
    std::memcpy(r.currency.data(), in.amount->currency.data(), 3);
  }
  if (in.margin) {
    r.has_margin = true;
    r.margin = *in.margin;
  }
  r.source = &in;
  return r;
}

// Thrown inside the pipelined passes for anything that needs a row's own outcome.
struct NeedsRowByRow {};

// A batch in pipelined passes where each statement costs a round trip (PostgreSQL): the
// natural keys looked up, the rows inserted, the external_ids taken before read back, a round
// trip per 256 rows instead of two or more per row. It covers the common case only: anything
// else (a row the table refuses, a changed fact, a key twice in the batch) rolls back to its
// savepoint and returns false with `result` and `rows` untouched, and the batch runs row by row,
// which gives each row its exact outcome.
bool record_pipelined(Connection& conn, const std::vector<Interaction>& batch,
                      const std::vector<std::optional<std::string>>& attrs, const std::vector<detail::NaturalKey>& keys,
                      const std::vector<char>& ok, BatchResult& result, std::vector<RecordedInteraction>& rows) {
  std::vector<std::size_t> looked_up, to_record;  // rows with a natural key to look up; every row to record
  {
    std::set<std::string_view> external_ids;
    std::set<detail::NaturalKey> natural_keys;
    for (std::size_t k = 0; k < batch.size(); ++k) {
      if (!ok[k]) continue;
      to_record.push_back(k);
      if (batch[k].external_id) {
        if (!external_ids.insert(*batch[k].external_id).second) return false;
      } else if (!keys.empty()) {
        if (!natural_keys.insert(keys[k]).second) return false;
        looked_up.push_back(k);
      }
    }
  }
  BatchResult out = result;  // the rows refused by their checks are in it already
  std::vector<std::size_t> inserted;  // in insertion (id) order
  try {
    detail::WriteScope pass(conn);
    std::vector<char> seen(batch.size(), 0);
    if (!looked_up.empty()) {
      auto& q = by_natural_key(conn);
      detail::StatementReset done(q);
      q.run_each(
          looked_up.size(),
          [&](std::size_t i) {
            const std::size_t k = looked_up[i];
            detail::bind_all(q, batch[k].customer_id, batch[k].occurred_at, blob_of(keys[k]));
          },
          [&](std::size_t i, bool found) {
            if (!found) return;
            const std::size_t k = looked_up[i];
            const Interaction stored = read_row(q);
            if (first_difference(stored, batch[k], attrs[k])) throw NeedsRowByRow{};
            out.ids[k] = stored.id;
            seen[k] = 1;
            ++out.duplicates;
            ++out.duplicate_natural_keys;
          });
    }
    std::vector<std::size_t> to_insert;
    for (std::size_t k : to_record)
      if (!seen[k]) to_insert.push_back(k);
    auto& st = insert_statement(conn);
    detail::StatementReset done(st);
    std::vector<std::size_t> taken;  // rows whose external_id was recorded before
    st.run_each(
        to_insert.size(),
        [&](std::size_t i) {
          const std::size_t k = to_insert[i];
          bind_insert(st, batch[k], attrs[k],
                      !keys.empty() && !batch[k].external_id ? blob_of(keys[k]) : detail::BorrowedBlob{});
        },
        [&](std::size_t i, bool was_inserted) {
          const std::size_t k = to_insert[i];
          if (!was_inserted) {
            // Only an external_id can be taken here: natural keys were looked up above.
            if (!batch[k].external_id) throw NeedsRowByRow{};
            taken.push_back(k);
            return;
          }
          out.ids[k] = st.getColumn(0).getInt64();
          inserted.push_back(k);
          ++out.inserted;
        });
    if (!taken.empty()) {  // a batch sent again: the same facts are duplicates, changed ones conflicts
      auto& q = by_external_id(conn);
      detail::StatementReset done_q(q);
      q.run_each(
          taken.size(), [&](std::size_t i) { detail::bind_all(q, *batch[taken[i]].external_id); },
          [&](std::size_t i, bool found) {
            const std::size_t k = taken[i];
            if (!found) throw NeedsRowByRow{};
            const Interaction stored = read_row(q);
            if (first_difference(stored, batch[k], attrs[k])) throw NeedsRowByRow{};
            out.ids[k] = stored.id;
            ++out.duplicates;
            ++out.duplicate_external_ids;
          });
    }
    pass.commit();
  } catch (const NeedsRowByRow&) {
    return false;
  } catch (const detail::SqlRunError& e) {
    // A row the table refused: the row path meets it again and names the row. Anything else (a
    // lost connection, a lock timeout) is the batch's failure.
    const auto c = e.code();
    if (c != detail::SqlCode::constraint && c != detail::SqlCode::foreign_key && c != detail::SqlCode::datatype &&
        c != detail::SqlCode::invalid)
      throw;
    return false;
  }
  result = std::move(out);
  for (std::size_t k : inserted) rows.push_back(recorded(batch[k], result.ids[k]));
  return true;
}


void require_customer(Connection& conn, std::int64_t id) {
  auto& st = conn.prepare("SELECT 1 FROM customers WHERE id = ?");
  detail::StatementReset done(st);
  detail::bind_all(st, id);
  bool found = st.executeStep();
  if (!found) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
}

bool row_level(Errc c) { return c == Errc::invalid_argument || c == Errc::not_found || c == Errc::conflict; }

}  // namespace

std::int64_t Interactions::record(const Interaction& interaction) {
  auto attrs = detail::check_interaction(interaction);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    Outcome o = insert_one(conn, interaction, attrs);
    if (o.inserted) detail::after_interactions_recorded(conn, {recorded(interaction, o.id)});
    scope.commit();
    return o.id;
  });
}

BatchResult Interactions::record_batch(const std::vector<Interaction>& batch, const BatchOptions& options) {
  BatchResult result;
  result.ids.assign(batch.size(), 0);
  std::vector<std::optional<std::string>> attrs(batch.size());
  std::vector<detail::NaturalKey> keys(options.allow_repeats ? 0 : batch.size());
  std::vector<char> ok(batch.size(), 1);
  for (std::size_t k = 0; k < batch.size(); ++k) {
    try {
      attrs[k] = detail::check_interaction(batch[k]);
      if (!options.allow_repeats && !batch[k].external_id) keys[k] = detail::natural_key(batch[k], attrs[k]);
    } catch (const Error& e) {
      if (!options.skip_invalid) throw BatchRowError(e.code(), k, e.what());
      result.errors.push_back({k, e.code(), e.what()});
      ok[k] = 0;
    }
  }
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    conn.widen_cache();
    std::vector<RecordedInteraction> rows;
    rows.reserve(batch.size());
    const bool piped =
        conn.db.round_trips() && batch.size() > 1 && record_pipelined(conn, batch, attrs, keys, ok, result, rows);
    for (std::size_t k = 0; k < batch.size() && !piped; ++k) {
      if (!ok[k]) continue;
      try {
        detail::RowScope row(conn, options.skip_invalid);
        Outcome o = insert_one(conn, batch[k], attrs[k], options.allow_repeats ? nullptr : &keys[k]);
        row.commit();
        result.ids[k] = o.id;
        if (o.inserted) {
          rows.push_back(recorded(batch[k], o.id));
          ++result.inserted;
        } else {
          ++result.duplicates;
          ++(batch[k].external_id ? result.duplicate_external_ids : result.duplicate_natural_keys);
        }
      } catch (const Error& e) {
        if (!options.skip_invalid || !row_level(e.code())) throw BatchRowError(e.code(), k, e.what());
        result.errors.push_back({k, e.code(), e.what()});
      }
    }
    detail::after_interactions_recorded(conn, rows);
    scope.commit();
  });
  std::sort(result.errors.begin(), result.errors.end(),
            [](const RowError& a, const RowError& b) { return a.index < b.index; });
  return result;
}

Interaction Interactions::get(std::int64_t id) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(fmt::format("SELECT {} FROM interactions WHERE id = ?", kColumns));
    return detail::required_row(st, read_row, [&] { return fmt::format("interaction {} does not exist", id); }, id);
  });
}

TimelinePage Interactions::timeline(std::int64_t customer_id, const TimelineFilter& filter, int limit,
                                    std::optional<Instant> before_time, std::optional<std::int64_t> before_id) {
  if (limit < 1 || limit > 10'000)
    throw Error(Errc::invalid_argument, fmt::format("limit {} is out of range 1..10000", limit));
  if (before_id && !before_time)
    throw Error(Errc::invalid_argument, "before_id needs before_time (the page cursor is the pair)");
  if (before_time) detail::check_instant("before_time", *before_time);
  if (filter.from) detail::check_instant("from", *filter.from);
  if (filter.to) detail::check_instant("to", *filter.to);
  if (filter.channel && !*to_string(*filter.channel)) throw Error(Errc::invalid_argument, "channel filter is not a channel");
  if (filter.kind && !*to_string(*filter.kind)) throw Error(Errc::invalid_argument, "kind filter is not an interaction kind");
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    // The SQL per combination of filters, built once (the timeline is a hot read path).
    static const std::array<std::string, 64> kSql = [] {
      std::array<std::string, 64> all;
      for (unsigned m = 0; m < 64; ++m) {
        std::string sql = fmt::format("SELECT {} FROM interactions WHERE customer_id = ?1", kColumns);
        if (m & 1) sql += " AND channel = ?2";
        if (m & 2) sql += " AND kind = ?3";
        if (m & 4) sql += " AND occurred_at >= ?4";
        if (m & 8) sql += " AND occurred_at < ?5";
        if (m & 16) sql += " AND (occurred_at, id) < (?6, ?7)";
        else if (m & 32) sql += " AND occurred_at < ?6";
        sql += " ORDER BY occurred_at DESC, id DESC LIMIT ?8";
        all[m] = std::move(sql);
      }
      return all;
    }();
    const unsigned mask = (filter.channel ? 1u : 0u) | (filter.kind ? 2u : 0u) | (filter.from ? 4u : 0u) |
                          (filter.to ? 8u : 0u) | (before_time && before_id ? 16u : 0u) |
                          (before_time && !before_id ? 32u : 0u);
    const std::string& sql = kSql[mask];
    auto& st = conn.prepare(sql);
    detail::StatementReset done(st);
    detail::bind_all(st, customer_id, filter.channel, filter.kind, filter.from, filter.to, before_time, before_id,
                     static_cast<std::int64_t>(limit) + 1);
    TimelinePage page;
    while (st.executeStep()) page.interactions.push_back(read_row(st));
    if (page.interactions.size() > static_cast<std::size_t>(limit)) {
      page.interactions.pop_back();
      page.has_more = true;
      page.next_before_time = page.interactions.back().occurred_at;
      page.next_before_id = page.interactions.back().id;
    }
    // Rows prove the customer exists; only an empty page needs the check.
    if (page.interactions.empty()) require_customer(conn, customer_id);
    return page;
  });
}

CustomerFigures Interactions::figures(std::int64_t customer_id) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    require_customer(conn, customer_id);
    return detail::read_figures(conn, customer_id);
  });
}

void Interactions::rebuild_figures() {
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    detail::rebuild_figures(conn);
    detail::rebuild_month_figures(conn);
    scope.commit();
  });
}

}  // namespace crmkit
