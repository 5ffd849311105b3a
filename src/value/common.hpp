// Shared helpers of the value services (internal).
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/value.hpp"

namespace crmkit::value_detail {

// The given currency (checked) or the store default.
inline std::string currency_or_default(Store& store, const std::optional<std::string>& currency) {
  if (!currency) return store.default_currency();
  if (!is_currency_code(*currency))
    throw Error(Errc::invalid_argument, fmt::format("currency '{}' is not an ISO 4217 currency code",
                                                    detail::printable(*currency)));
  return *currency;
}

inline void check_finite(double v, const char* what) {
  if (!std::isfinite(v)) throw Error(Errc::invalid_argument, fmt::format("{} is not a finite number", what));
}

// CustomerValue::model_inputs without the copy: the connection keeps the last inputs built from
// committed facts and hands them out again while the purchases under them are unchanged
// (src/value/model_inputs.cpp). fit, score and validate read them through here.
std::shared_ptr<const ModelInputs> shared_model_inputs(Store& store, const ModelInputOptions& options);
// The distinct histories of `inputs` (fit and scoring both group by them), kept beside them when
// they are the connection's kept inputs: a fit and the scoring after it sort once.
std::shared_ptr<const analytics::DistinctHistories> shared_distinct_histories(
    Store& store, const std::shared_ptr<const ModelInputs>& inputs);

}  // namespace crmkit::value_detail
