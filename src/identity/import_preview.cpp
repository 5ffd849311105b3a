// The import preview: each row judged as Customers::upsert or create would judge it, with the
// duplicate candidates Duplicates::check finds, and nothing written.
#include "crmkit/import_preview.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "customers/contact_points.hpp"
#include "customers/customer_fields.hpp"
#include "customers/suppressions.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

// The refusals that belong to one row's data, as the import counts them; anything else (busy,
// io, corrupt) would stop the import, so it stops the preview.
bool row_level(Errc c) {
  return c == Errc::invalid_argument || c == Errc::not_found || c == Errc::conflict || c == Errc::constraint;
}

}  // namespace

const char* to_string(ImportAction a) noexcept {
  switch (a) {
    case ImportAction::create: return "create";
    case ImportAction::update: return "update";
    case ImportAction::error: return "error";
  }
  return "?";
}

ImportPreviewRow CustomerImportPreview::add(std::int64_t line, const CustomerFields& fields) {
  ImportPreviewRow row;
  row.line = line;
  try {
    detail::guard([&] {
      auto& conn = detail::connection_of(store_);
      const CustomerFields n = detail::normalized_fields(fields, store_);
      if (n.external_id) {
        if (auto id = Customers(store_).find_id(*n.external_id)) {
          row.action = ImportAction::update;
          row.customer_id = *id;
        } else if (auto it = created_by_external_id_.find(*n.external_id); it != created_by_external_id_.end()) {
          row.action = ImportAction::update;
          row.earlier_line = it->second;
        }
      }
      if (row.action == ImportAction::create) {
        // Customers::create's own refusals.
        if (!n.created_at) throw Error(Errc::invalid_argument, "created_at is required to create a customer");
        if (!n.clear.empty())
          throw Error(Errc::invalid_argument, "clear is only for updates, not for creating a customer");
      }
      // A suppressed email or phone is refused where it is new to the customer.
      std::vector<std::string> keys;
      auto& holds = conn.prepare("SELECT 1 FROM contact_points WHERE customer_id = ? AND type = ? AND match_key = ?");
      for (ContactType type : {ContactType::email, ContactType::phone}) {
        const auto& value = type == ContactType::email ? n.email : n.phone;
        if (!value) continue;
        const std::string key = detail::reading_of_normalized(type, *value).match_key;
        const bool held = row.customer_id && detail::one_row(
                                                 holds, [](detail::Statement&) { return true; }, *row.customer_id,
                                                 std::string(to_string(type)), key);
        if (!held) detail::refuse_suppressed(conn, type, key);
        keys.push_back(std::string(to_string(type)) + ":" + key);
      }
      row.candidates = Duplicates(store_).check(fields);
      if (row.customer_id) {
        const std::int64_t self = *row.customer_id;
        row.candidates.erase(std::remove_if(row.candidates.begin(), row.candidates.end(),
                                            [&](const DuplicateCandidate& c) { return c.b == self; }),
                             row.candidates.end());
      }
      // Earlier rows with the same email or phone, unless they are this customer's own rows.
      const std::string external_id = n.external_id.value_or("");
      for (const auto& key : keys) {
        auto& earlier = lines_by_contact_[key];
        for (const auto& [other_line, other_external_id] : earlier)
          if (external_id.empty() || other_external_id != external_id) row.same_contact_lines.push_back(other_line);
        earlier.emplace_back(line, external_id);
      }
      std::sort(row.same_contact_lines.begin(), row.same_contact_lines.end());
      row.same_contact_lines.erase(std::unique(row.same_contact_lines.begin(), row.same_contact_lines.end()),
                                   row.same_contact_lines.end());
      if (row.action == ImportAction::create && n.external_id) created_by_external_id_.emplace(*n.external_id, line);
    });
  } catch (const Error& e) {
    if (!row_level(e.code())) throw;
    return refuse(line, e.code(), e.what());
  }
  return count(std::move(row));
}

ImportPreviewRow CustomerImportPreview::refuse(std::int64_t line, Errc code, const std::string& message) {
  ImportPreviewRow row;
  row.line = line;
  row.action = ImportAction::error;
  row.error_code = errc_name(code);
  row.error = message;
  return count(std::move(row));
}

ImportPreviewRow CustomerImportPreview::count(ImportPreviewRow row) {
  ++totals_.rows;
  switch (row.action) {
    case ImportAction::create: ++totals_.create; break;
    case ImportAction::update: ++totals_.update; break;
    case ImportAction::error: ++totals_.error; break;
  }
  const bool duplicate = std::any_of(row.candidates.begin(), row.candidates.end(), [](const DuplicateCandidate& c) {
    return c.verdict == DuplicateVerdict::duplicate;
  });
  if (duplicate) ++totals_.with_duplicates;
  else if (!row.candidates.empty()) ++totals_.with_suspects;
  if (!row.same_contact_lines.empty()) ++totals_.with_same_contact;
  return row;
}

ImportPreview preview_customer_import(Store& store, const std::vector<CustomerFields>& records) {
  CustomerImportPreview preview(store);
  ImportPreview out;
  for (std::size_t i = 0; i < records.size(); ++i)
    out.rows.push_back(preview.add(static_cast<std::int64_t>(i) + 1, records[i]));
  out.totals = preview.totals();
  return out;
}

}  // namespace crmkit
