// What a migration needs that SQL cannot compute, run right after its SQL in the same
// transaction, on both backends: one C++ step per migration that has one.
#pragma once

namespace crmkit::detail {

struct Connection;

// Runs the step of migration `version`, if it has one.
void after_migration(Connection& c, int version);

}  // namespace crmkit::detail
