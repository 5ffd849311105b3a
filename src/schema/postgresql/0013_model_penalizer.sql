-- 0013: a fitted model records the L2 penalty it was fitted with (lifetimes' penalizer_coef;
-- clv::FitOptions::penalizer_coef), so a penalised fit is never mistaken for a plain maximum-
-- likelihood one (PostgreSQL twin of src/schema/0013_model_penalizer.sql). SQLite stores NaN as
-- NULL, which NOT NULL refuses; PostgreSQL keeps NaN and orders it above every number, so the
-- upper bound refuses NaN as well as +infinity.
ALTER TABLE value_models ADD COLUMN penalizer_coef DOUBLE PRECISION NOT NULL DEFAULT 0
  CHECK (penalizer_coef >= 0 AND penalizer_coef <= 1.7976931348623157e308);
