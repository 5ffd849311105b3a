"""The classic CDNOW analysis with crmkit, end to end, on the purchase log itself (docs/ANALYST.md).

What a `lifetimes` or R `rfm` user does, step by step: the summary table split into a
calibration period (to 1997-09-30) and a 39-week holdout, the BG/NBD fit (Fader, Hardie & Lee
2005 publish r 0.243, alpha 4.414, a 0.793, b 2.426), the calibration vs holdout check, P(alive)
of named customers, the Gamma-Gamma spend model and a 12-month CLV ranking, and R `rfm`'s
segments with the package's example thresholds. Charts are written as SVG beside the figures.

usage: python3 examples/cdnow_analysis.py [CDNOW_sample.txt] [OUT_DIR]
       (defaults: ../shared/data/cdnow/CDNOW_sample.txt, ./cdnow-analysis)
The binding is found as the README says (PYTHONPATH=bindings/python, CRMKIT_LIBRARY=...).
"""
import datetime
import decimal
import os
import sys
import time

from crmkit import analysis, plot, rfm

CALIBRATION_END = datetime.date(1997, 9, 30)
OBSERVATION_END = datetime.date(1998, 6, 30)
NAMED = [1, 18, 1516]  # customers analysts look at in the published walk-throughs
# R rfm's example segments (the package's vignette): first matching rule wins.
SEGMENTS = ["Champions", "Potential Loyalist", "Loyal Customers", "Promising", "New Customers", "Can't Lose Them",
            "At Risk", "Need Attention", "About To Sleep", "Lost"]
BOUNDS = dict(recency_lower=[5, 3, 2, 3, 4, 1, 1, 1, 2, 1], recency_upper=[5, 5, 4, 4, 5, 2, 2, 3, 3, 1],
              frequency_lower=[5, 3, 2, 1, 1, 3, 2, 3, 1, 1], frequency_upper=[5, 5, 4, 3, 3, 4, 5, 5, 3, 5],
              monetary_lower=[5, 2, 2, 3, 1, 4, 4, 3, 1, 1], monetary_upper=[5, 5, 4, 5, 5, 5, 5, 5, 4, 5])


def read_log(path):
    """CDNOW_sample.txt: master id, sample id, yyyymmdd, CDs, dollars; one row per purchase."""
    rows = []
    with open(path) as f:
        for line in f:
            _, customer, day, _, dollars = line.split()
            rows.append((int(customer), datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])),
                         decimal.Decimal(dollars)))
    return rows


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    log_path = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "cdnow", "CDNOW_sample.txt")
    out_dir = argv[2] if len(argv) > 2 else "cdnow-analysis"
    if not os.path.exists(log_path):
        print("cdnow_analysis: %s not found (pass the CDNOW sample log's path)" % log_path, file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)
    started = time.process_time()
    rows = read_log(log_path)

    # 1. The summary table, split at the calibration end: weeks between whole days, as lifetimes'
    #    calibration_and_holdout_data(freq="D", freq_multiplier=7).
    split = analysis.calibration_and_holdout(rows, CALIBRATION_END, period="day", periods_per_unit=7,
                                             observation_end=OBSERVATION_END)
    print("purchases: %d rows, %d customers; holdout %.0f weeks" % (len(rows), len(split), split.duration_holdout))

    # 2. BG/NBD on the calibration period.
    bg = analysis.fit("bg_nbd", split)
    print("BG/NBD: r %.3f alpha %.3f a %.3f b %.3f, LL %.2f" % (bg.params["r"], bg.params["alpha"], bg.params["a"],
                                                                bg.params["b"], bg.log_likelihood))
    print(bg)

    # 3. Calibration vs holdout: what analysts check before trusting the model.
    predicted = analysis.conditional_expected_purchases(bg, split.duration_holdout, split.frequency_cal,
                                                        split.recency_cal, split.T_cal)
    print("holdout purchases: actual %d, predicted %.1f" % (sum(split.frequency_holdout), sum(predicted)))
    print("calibration repeat purchases -> mean holdout purchases (actual / predicted):")
    for x in range(8):
        idx = [i for i, f in enumerate(split.frequency_cal) if (f == x if x < 7 else f >= 7)]
        actual = sum(split.frequency_holdout[i] for i in idx) / len(idx)
        model = sum(predicted[i] for i in idx) / len(idx)
        print("  %s%d: %4d customers  %.3f / %.3f" % ("" if x < 7 else ">=", x, len(idx), actual, model))
    plot.calibration_vs_holdout(split.frequency_cal, split.frequency_holdout, predicted, split.duration_holdout,
                                "week", period="CDNOW, calibration to 1997-09-30, holdout to 1998-06-30"
                                ).save(os.path.join(out_dir, "calibration_vs_holdout.svg"))
    plot.p_alive_matrix(("bg_nbd", list(bg.params.values())), 20, 39, "week"
                        ).save(os.path.join(out_dir, "p_alive_matrix.svg"))

    # 4. P(alive) and the next 39 weeks of named customers.
    alive = analysis.p_alive(bg, split.frequency_cal, split.recency_cal, split.T_cal)
    position = {c: i for i, c in enumerate(split.customer)}
    for c in NAMED:
        i = position[c]
        print("customer %d: x %d, t_x %.2f, T %.2f -> P(alive) %.4f, E[purchases in 39 weeks] %.3f"
              % (c, split.frequency_cal[i], split.recency_cal[i], split.T_cal[i], alive[i], predicted[i]))

    # 5. Spend (Gamma-Gamma on the repeat buyers) and a 12-month CLV at 1% a month.
    gg = analysis.fit("gamma_gamma", split)
    print("Gamma-Gamma: p %.4f q %.4f gamma %.4f over %d repeat buyers" % (gg.params["p"], gg.params["q"],
                                                                            gg.params["gamma"], gg.observations))
    spend = analysis.expected_average_profit(gg, split.frequency_cal, split.monetary_value_cal)
    clv = analysis.customer_lifetime_value(bg, split.frequency_cal, split.recency_cal, split.T_cal, spend,
                                           unit="week", months=12, monthly_discount_rate=0.01)
    ranking = sorted(range(len(clv)), key=lambda i: -clv[i])
    print("12-month CLV at 1%% a month: total %.2f; top 5:" % sum(clv))
    for i in ranking[:5]:
        print("  customer %d: CLV %.2f (x %d, spend %.2f)" % (split.customer[i], clv[i], split.frequency_cal[i],
                                                             spend[i]))

    # 6. R rfm's segments on the whole log as of its last day.
    table = rfm.table_orders(customer_id=[r[0] for r in rows], order_date=[r[1] for r in rows],
                             revenue=[r[2] for r in rows], analysis_date=OBSERVATION_END)
    segmented = rfm.segment(table, SEGMENTS, **BOUNDS)
    print("RFM segments (R rfm's example rules, as of %s):" % OBSERVATION_END)
    for s in rfm.segment_summary(segmented):
        print("  %-18s %5d customers  %5.1f%% of revenue" % (s.segment, s.customers, 100 * s.revenue_share))
    summary = rfm.segment_summary(segmented)
    plot.segment_bars([s.segment for s in summary], [s.customers for s in summary], period="as of 1998-06-30"
                      ).save(os.path.join(out_dir, "rfm_segments.svg"))
    print("charts in %s; %.2f CPU-s in all" % (out_dir, time.process_time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
