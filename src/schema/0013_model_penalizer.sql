-- 0013: a fitted model records the L2 penalty it was fitted with (lifetimes' penalizer_coef;
-- clv::FitOptions::penalizer_coef), so a penalised fit is never mistaken for a plain maximum-
-- likelihood one. Models fitted before this version had no penalty: 0. NaN is stored as NULL by
-- SQLite, so NOT NULL refuses it; the upper bound refuses +infinity.
ALTER TABLE value_models ADD COLUMN penalizer_coef REAL NOT NULL DEFAULT 0
  CHECK (penalizer_coef >= 0 AND penalizer_coef <= 1.7976931348623157e308);
