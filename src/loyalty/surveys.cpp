// Survey responses: validation, append-only storage, idempotent ingest on external_id.
#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/batch_error.hpp"
#include "crmkit/survey.hpp"
#include "customers/customer_exists.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

SurveyScale scale_of(SurveyKind kind) {
  switch (kind) {
    case SurveyKind::nps: return {0, 10, ScaleDirection::higher_is_better};
    case SurveyKind::csat: return {1, 5, ScaleDirection::higher_is_better};
    case SurveyKind::ces: return {1, 7, ScaleDirection::higher_is_better};
    case SurveyKind::custom: break;
  }
  throw Error(Errc::invalid_argument, "a custom survey has no fixed scale: give scale with the response");
}

namespace {

using detail::Connection;

std::string fmt_num(double v) { return fmt::format("{:g}", v); }

// Checks everything that does not need the database; returns the effective scale.
SurveyScale check_fields(const SurveyResponse& r) {
  SurveyScale scale;
  if (r.kind == SurveyKind::custom) {
    if (!r.scale) throw Error(Errc::invalid_argument, "scale is required for kind custom (min, max, direction)");
    scale = *r.scale;
    if (!std::isfinite(scale.min) || !std::isfinite(scale.max) || !(scale.min < scale.max))
      throw Error(Errc::invalid_argument, fmt::format("scale {}..{} is not a finite range with min < max",
                                                      fmt_num(scale.min), fmt_num(scale.max)));
    if (scale.direction != ScaleDirection::higher_is_better && scale.direction != ScaleDirection::lower_is_better)
      throw Error(Errc::invalid_argument, "scale direction is not a valid value");
  } else {
    scale = scale_of(r.kind);
    if (r.scale && (r.scale->min != scale.min || r.scale->max != scale.max || r.scale->direction != scale.direction))
      throw Error(Errc::invalid_argument,
                  fmt::format("scale {}..{} differs from the fixed scale {}..{} of kind {}", fmt_num(r.scale->min),
                              fmt_num(r.scale->max), fmt_num(scale.min), fmt_num(scale.max), to_string(r.kind)));
  }
  if (std::isnan(r.score)) throw Error(Errc::invalid_argument, fmt::format("score is NaN for kind {}", to_string(r.kind)));
  if (!(r.score >= scale.min && r.score <= scale.max))
    throw Error(Errc::invalid_argument, fmt::format("score {} is out of range {}..{} for kind {}", fmt_num(r.score),
                                                    fmt_num(scale.min), fmt_num(scale.max), to_string(r.kind)));
  if (r.kind != SurveyKind::custom && r.score != std::floor(r.score))
    throw Error(Errc::invalid_argument,
                fmt::format("score {} is not an integer, as kind {} requires", fmt_num(r.score), to_string(r.kind)));
  if (static_cast<int>(r.channel) < 0 || static_cast<int>(r.channel) > static_cast<int>(Channel::other))
    throw Error(Errc::invalid_argument, "channel is not a valid value");
  detail::check_instant("occurred_at", r.occurred_at);
  if (r.customer_id <= 0) throw Error(Errc::invalid_argument, fmt::format("customer_id {} is not a valid id", r.customer_id));
  if (r.external_id) {
    detail::check_text("external_id", *r.external_id);
    if (r.external_id->empty()) throw Error(Errc::invalid_argument, "external_id is empty");
  }
  if (r.comment) detail::check_text("comment", *r.comment, kMaxSurveyComment);
  return scale;
}

constexpr const char* kColumns =
    "id, customer_id, external_id, kind, scale_min, scale_max, direction, score, occurred_at, channel, "
    "interaction_id, comment";

SurveyResponse read_row(detail::Statement& q) {
  const detail::StoredRow row(q, "survey_responses");
  SurveyResponse r;
  row.columns(0, r.id, r.customer_id, r.external_id);
  r.kind = row.parse(3, [](const std::string& t) { return parse_survey_kind(t); });
  if (r.kind == SurveyKind::custom)
    r.scale = SurveyScale{row.real(4), row.real(5),
                          row.parse(6, [](const std::string& t) { return parse_scale_direction(t); })};
  row.columns(7, r.score, r.occurred_at);
  r.channel = row.parse(9, [](const std::string& t) { return parse_channel(t); });
  row.columns(10, r.interaction_id, r.comment);
  return r;
}

bool same_content(const SurveyResponse& a, const SurveyResponse& b, const SurveyScale& scale_b) {
  SurveyScale sa = a.kind == SurveyKind::custom ? *a.scale : scale_of(a.kind);
  return a.customer_id == b.customer_id && a.kind == b.kind && sa.min == scale_b.min && sa.max == scale_b.max &&
         sa.direction == scale_b.direction && a.score == b.score && a.occurred_at == b.occurred_at &&
         a.channel == b.channel && a.interaction_id == b.interaction_id && a.comment == b.comment;
}

// Validates and inserts one response (inside the caller's WriteScope). *duplicate is set when
// the external_id already names the same response.
std::int64_t insert_one(Connection& c, const SurveyResponse& r, bool* duplicate) {
  *duplicate = false;
  SurveyScale scale = check_fields(r);
  if (r.external_id) {
    auto& q = c.prepare(fmt::format("SELECT {} FROM survey_responses WHERE external_id = ?", kColumns));
    detail::StatementReset done(q);
    detail::bind_all(q, *r.external_id);
    if (q.executeStep()) {
      SurveyResponse old = read_row(q);
      if (!same_content(old, r, scale))
        throw Error(Errc::conflict, fmt::format("external_id {} already names a different survey response (id {})",
                                                detail::printable(*r.external_id), old.id));
      *duplicate = true;
      return old.id;
    }
  }
  if (!detail::customer_exists(c, r.customer_id))
    throw Error(Errc::not_found, fmt::format("customer_id {} does not exist", r.customer_id));
  if (r.interaction_id) {
    auto& q = c.prepare("SELECT customer_id FROM interactions WHERE id = ?");
    detail::StatementReset done(q);
    detail::bind_all(q, *r.interaction_id);
    if (!q.executeStep())
      throw Error(Errc::not_found, fmt::format("interaction_id {} does not exist", *r.interaction_id));
    std::int64_t owner = q.getColumn(0).getInt64();
    if (owner != r.customer_id)
      throw Error(Errc::conflict, fmt::format("interaction_id {} belongs to customer {}, not to customer {}",
                                              *r.interaction_id, owner, r.customer_id));
  }
  auto& ins = detail::prepare_insert(c,
      "INSERT INTO survey_responses(customer_id, external_id, kind, scale_min, scale_max, direction, score, "
      "occurred_at, channel, interaction_id, comment) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  detail::bind_all(ins, r.customer_id, r.external_id, r.kind, scale.min, scale.max, scale.direction, r.score,
                   r.occurred_at, r.channel, r.interaction_id, r.comment);
  return detail::inserted_id(c, ins).value();
}

}  // namespace

std::int64_t Surveys::record(const SurveyResponse& response) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::WriteScope scope(c);
    bool dup = false;
    std::int64_t id = insert_one(c, response, &dup);
    scope.commit();
    return id;
  });
}

BatchResult Surveys::record_batch(const std::vector<SurveyResponse>& batch, const BatchOptions& options) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::WriteScope scope(c);
    BatchResult result;
    result.ids.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        bool dup = false;
        detail::RowScope row(c, options.skip_invalid);
        const std::int64_t id = insert_one(c, batch[i], &dup);
        row.commit();
        result.ids.push_back(id);
        ++(dup ? result.duplicates : result.inserted);
        if (dup) ++result.duplicate_external_ids;  // responses are identified by external_id only
      } catch (const Error& e) {
        bool bad_input = e.code() == Errc::invalid_argument || e.code() == Errc::not_found ||
                         e.code() == Errc::conflict || e.code() == Errc::constraint;
        if (!options.skip_invalid || !bad_input) throw BatchRowError(e.code(), i, e.what());
        result.ids.push_back(0);
        result.errors.push_back({i, e.code(), e.what()});
      } catch (const detail::SqlError& e) {
        if (!options.skip_invalid) {
          try {
            detail::rethrow_sql(e, "");
          } catch (const Error& mapped) {
            throw BatchRowError(mapped.code(), i, mapped.what());
          }
        }
        // A failed single INSERT leaves nothing behind (statement-level rollback, or RowScope's).
        result.ids.push_back(0);
        result.errors.push_back({i, Errc::constraint, e.what()});
      }
    }
    scope.commit();
    return result;
  });
}

SurveyResponse Surveys::get(std::int64_t id) {
  return detail::guard([&] {
    auto& q = detail::connection_of(store_).prepare(fmt::format("SELECT {} FROM survey_responses WHERE id = ?", kColumns));
    return detail::required_row(q, read_row, [&] { return fmt::format("survey response {} does not exist", id); }, id);
  });
}

namespace {
std::string filter_sql(const SurveyFilter& f) {
  std::string w;
  if (f.kind) w += " AND kind = :kind";
  if (f.from) w += " AND occurred_at >= :from";
  if (f.to) w += " AND occurred_at < :to";
  return w;
}
void bind_filter(detail::Statement& q, const SurveyFilter& f) {
  if (f.kind) detail::bind_value(q, ":kind", *f.kind);
  if (f.from) detail::bind_value(q, ":from", *f.from);
  if (f.to) detail::bind_value(q, ":to", *f.to);
}
}  // namespace

std::vector<SurveyResponse> Surveys::for_customer(std::int64_t customer_id, const SurveyFilter& filter) {
  return detail::guard([&] {
    auto& q = detail::connection_of(store_).prepare(
        fmt::format("SELECT {} FROM survey_responses WHERE customer_id = :c{} ORDER BY occurred_at, id", kColumns,
                    filter_sql(filter)));
    detail::StatementReset reset_q(q);
    detail::bind_value(q, ":c", customer_id);
    bind_filter(q, filter);
    std::vector<SurveyResponse> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
  });
}

std::int64_t Surveys::count(const SurveyFilter& filter) {
  return detail::guard([&] {
    auto& q = detail::connection_of(store_).prepare("SELECT count(*) FROM survey_responses WHERE 1 = 1" + filter_sql(filter));
    detail::StatementReset done(q);
    bind_filter(q, filter);
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

}  // namespace crmkit
