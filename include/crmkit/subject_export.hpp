// crmkit/subject_export.hpp: a person's data, as a subject-access request asks for it.
#pragma once

#include <cstdint>
#include <string>

#include "crmkit/store.hpp"

namespace crmkit {

// Every stored row that references the customer, in every area, as one deterministic JSON
// document: {"format": "crmkit-subject-export/1", "customer_id": N, "tables": {"<table>":
// [{"<column>": value, ...}, ...], ...}}. Tables are found in the store's own catalog (every
// table with a customer_id column, plus customers itself, the confirmed non-duplicate pairs
// naming the customer and the audit entries of the customer and of its current contact points),
// so a table a later version adds is exported without a change here. Rows keep their stored
// column names and values (times in epoch ms, money in minor units; a binary value as
// {"hex": "..."}) and are sorted, so the same store gives the same bytes. not_found for a
// missing customer. docs/PRIVACY.md "Subject-access export".
std::string export_subject(Store& store, std::int64_t customer_id);

}  // namespace crmkit
