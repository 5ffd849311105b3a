// The refusals every chart shares: values that are not finite, labels XML cannot carry,
// sizes outside the range a chart can be drawn at.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/plot.hpp"
#include "plots/frame.hpp"

namespace crmkit::plots {

// Throws Error(invalid_argument) naming the value: "actual[3] is NaN".
void check_finite(const std::vector<double>& values, std::string_view name);
void check_finite(double value, std::string_view name);
// Equal lengths: "predicted has 3 values but frequency_cal has 4".
void check_same_size(std::size_t a, std::string_view a_name, std::size_t b, std::string_view b_name);
// Valid UTF-8 without control characters (XML 1.0 cannot hold them), at most 200 bytes.
void check_label(std::string_view field, std::string_view text);
// Checks the options and gives the size to draw at and the title (the caller's, else `title`).
Size checked_size(const plot::Options& options);
std::string title_or(const plot::Options& options, std::string title);
// The caption with the options' period added ("... Period: 2024.").
std::string with_period(const plot::Options& options, std::string caption);

}  // namespace crmkit::plots
