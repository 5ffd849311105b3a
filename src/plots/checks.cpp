#include "plots/checks.hpp"

#include <cmath>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit::plots {

namespace {
[[noreturn]] void refuse(const std::string& message) { throw Error(Errc::invalid_argument, message); }
}  // namespace

void check_finite(double value, std::string_view name) {
  if (std::isnan(value)) refuse(std::string(name) + " is NaN");
  if (std::isinf(value)) refuse(std::string(name) + " is " + (value > 0 ? "+" : "-") + "infinite");
}

void check_finite(const std::vector<double>& values, std::string_view name) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) check_finite(values[i], std::string(name) + "[" + std::to_string(i) + "]");
}

void check_same_size(std::size_t a, std::string_view a_name, std::size_t b, std::string_view b_name) {
  if (a != b)
    refuse(std::string(a_name) + " has " + std::to_string(a) + " values but " + std::string(b_name) +
           " has " + std::to_string(b));
}

void check_label(std::string_view field, std::string_view text) {
  detail::check_text(field, text, 200);
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f)
      refuse(std::string(field) + " " + detail::printable(text) + " contains a control character");
}

Size checked_size(const plot::Options& options) {
  auto in_range = [](int v, const char* name) {
    if (v < plot::Options::kMinSize || v > plot::Options::kMaxSize)
      refuse(std::string("options.") + name + " " + std::to_string(v) + " is outside " +
             std::to_string(plot::Options::kMinSize) + ".." + std::to_string(plot::Options::kMaxSize) +
             " pixels");
  };
  in_range(options.width, "width");
  in_range(options.height, "height");
  check_label("options.title", options.title);
  check_label("options.period", options.period);
  return Size{options.width, options.height};
}

std::string with_period(const plot::Options& options, std::string caption) {
  if (!options.period.empty()) caption += " Period: " + options.period + ".";
  return caption;
}

std::string title_or(const plot::Options& options, std::string title) {
  return options.title.empty() ? std::move(title) : options.title;
}

}  // namespace crmkit::plots
