// The command tree and the demo's steps, each in one table: what `crmkit --help` lists and the
// order `crmkit demo` fills its database in are read here, not gathered from static registrars.
#include "commands.hpp"

namespace crmkit::cli {

const std::vector<CommandAdder>& commands() {
  static const std::vector<CommandAdder> all{
      &add_demo,   &add_report,           &add_customer_commands, &add_contact_commands, &add_consent_commands,
      &add_dedupe_commands, &add_merge_commands, &add_audit_commands, &add_import,
      &add_export, &add_segment_commands, &add_value_commands,    &add_metrics,
      &add_points_commands, &add_plot,
  };
  return all;
}

const std::vector<DemoStep>& demo_steps() {
  // After the core population (customers and interactions, in cli/demo.cpp): value first, as
  // the segments and the report read its scores; surveys and points last.
  static const std::vector<DemoStep> all{
      {"customer value", &demo_value},
      {"segments", &demo_segments},
      {"survey responses (NPS, CSAT, CES)", &demo_surveys},
      {"loyalty points", &demo_points},
  };
  return all;
}

}  // namespace crmkit::cli
