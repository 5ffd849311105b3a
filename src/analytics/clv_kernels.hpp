// Unchecked per-customer kernels shared by the vectorised entry points and CLV: callers
// validate parameters and inputs once, then loop without per-row checks.
#pragma once

#include "crmkit/clv.hpp"

namespace crmkit::clv::detail {

double bg_p_alive_unchecked(const BgNbdParams& m, double x, double t_x, double T);
double bg_p_alive_unchecked(const MbgNbdParams& m, double x, double t_x, double T);
double bg_cond_unchecked(const BgNbdParams& m, double t, double x, double t_x, double T);
double bg_cond_unchecked(const MbgNbdParams& m, double t, double x, double t_x, double T);
// The factor of the BG family's E[Y(t) | x, t_x, T] besides P(alive): it does not depend on t_x.
double bg_unconditional_unchecked(const BgNbdParams& m, double t, double x, double T);
double bg_unconditional_unchecked(const MbgNbdParams& m, double t, double x, double T);
double pareto_p_alive_unchecked(const ParetoNbdParams& m, double x, double t_x, double T);
double pareto_cond_unchecked(const ParetoNbdParams& m, double t, double x, double t_x, double T);
// One Pareto/NBD log-likelihood and its gradient in (r, alpha, s, beta) through the 2F1
// series; false outside the series' range (the fit then uses finite differences).
bool pareto_ll_grad(const ParetoNbdParams& m, double x, double t_x, double T, double* ll, double g[4]);
// Validates the parameters of any purchase model.
void check_model(const PurchaseModel& m);

}  // namespace crmkit::clv::detail
