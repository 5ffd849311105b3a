// Option handles that more than one area's C functions take: the plain-data fits and the store's
// fit share crmkit_clv_fit_options (one clv::FitOptions), the plain-data charts and the store's
// charts share crmkit_plot_options (one plot::Options).
#pragma once

#include "crmkit/clv.hpp"
#include "crmkit/plot.hpp"

struct crmkit_clv_fit_options {
  crmkit::clv::FitOptions options;
};

struct crmkit_plot_options {
  crmkit::plot::Options options;
};
