// The scaling series: databases of 10k, 100k and 1M customers with about ten interactions
// each, ingested through the C API, then scored (RFM) and segmented. Each series reports the
// exponent k of time ~ size^k; anything clearly above 1 is a finding.
#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/value.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

void scaling(const Options& o, std::vector<Row>& rows) {
  if (!o.scaling_series) return;
  std::vector<double> sizes, ingest, rfm, segment;
  for (auto customers : o.scaling) {
    progress(fmt::format("[scaling] {} customers: ingest", customers));
    Population p = make_population(customers, 10, o.seed + static_cast<std::uint64_t>(customers));
    std::string path = temp_path(o.work_dir, fmt::format("scale-{}", customers));
    create_customers_crmkit(path, customers);
    auto t0 = Clock::now();
    insert_facts_capi(path, p);
    double ingest_s = seconds_since(t0);
    progress(fmt::format("[scaling] {} customers: RFM and segment", customers));
    crmkit::Store store = crmkit::Store::open(path);
    crmkit::RfmRequest request;
    request.as_of = p.end;
    crmkit::CustomerValue value(store);
    double rfm_s = best_of(2, [&] { value.rfm(request); });
    crmkit::Segments segs(store);
    double seg_s = best_of(2, [&] { segs.count(kFiveLeafRule, p.end); });
    remove_db(path);
    sizes.push_back(static_cast<double>(customers));
    ingest.push_back(ingest_s);
    rfm.push_back(rfm_s);
    segment.push_back(seg_s);
    rows.push_back({"scaling: ingest / RFM / segment", fmt::format("{} customers, {} interactions", customers,
                                                                   p.facts.size()),
                    ingest_s, {}, "", {}, "", "info",
                    fmt::format("RFM {:.3f} s, segment {:.3f} s", rfm_s, seg_s)});
  }
  if (sizes.size() < 2) return;
  for (auto [name, times] : {std::pair{"1. ingest", &ingest}, {"3. RFM", &rfm}, {"5. segment", &segment}}) {
    double k = scaling_exponent(sizes, *times);
    rows.push_back({fmt::format("scaling exponent: {}", name), "10k..1M customers", 0, {}, "", k, "<= 1.10",
                    k <= 1.10 ? "met" : "MISSED", "time ~ customers^k"});
  }
}

RegisterWorkload reg("8", "scaling series (ingest, RFM, segment)", &scaling);

}  // namespace
}  // namespace bench
