#include "instants.hpp"

#include "crmkit/report.hpp"

namespace crmkit::cli {

bool TimeArg::is_date() const noexcept { return text.size() == 10 && text[4] == '-' && text[7] == '-'; }

Instant TimeArg::instant() const {
  if (!is_date()) return parse_instant(text, option);
  const Day day = parse_date(text, option);
  return date == DateMeans::first_instant ? start_of_day(day) : end_of_day(day);
}

std::optional<Instant> TimeArg::instant_if_given() const {
  if (!given()) return std::nullopt;
  return instant();
}

CLI::Option* add_time_option(CLI::App* cmd, TimeArg& arg, const std::string& name, DateMeans date,
                             const std::string& what) {
  arg.option = name;
  arg.date = date;
  const char* role = date == DateMeans::first_instant
                         ? "a date YYYY-MM-DD means its first instant (00:00 UTC)"
                         : "a date YYYY-MM-DD means the end of that day (the next day 00:00 UTC)";
  // Read while the command line is parsed, so that bad text is refused before a store is opened
  // or anything else is done.
  const TimeArg probe = arg;
  return cmd->add_option(name, arg.text, what + "; " + role + ", else an ISO-8601 instant or epoch ms")
      ->each([probe](const std::string& text) {
        TimeArg given = probe;
        given.text = text;
        if (given.given()) given.instant();
      });
}

Instant as_of_or_default(Store& store, const TimeArg& as_of) {
  return as_of.given() ? as_of.instant() : default_as_of(store);
}

}  // namespace crmkit::cli
