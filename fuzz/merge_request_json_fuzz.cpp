// Fuzzes the merge request's JSON reader (crmkit::merge_request_from_json) and the planner
// behind the dry run. Whatever the bytes, reading gives a request or Error(invalid_argument);
// planning an accepted request on a small store gives a plan or a refusal a caller is told
// about (invalid_argument, not_found, conflict), never another error, and writes nothing.
#include <cstdlib>
#include <string>

#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/merge.hpp"
#include "crmkit/store.hpp"

using namespace crmkit;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

Store& store() {
  static Store s = [] {
    Store st = Store::open(":memory:");
    Customers customers(st);
    for (int i = 1; i <= 3; ++i) {
      CustomerFields f;
      f.email = "c" + std::to_string(i) + "@example.com";
      f.city = i == 2 ? "Porto" : "Lisbon";
      f.created_at = 1'700'000'000'000 + i;
      customers.create(f);
    }
    return st;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  MergeRequest request;
  try {
    request = merge_request_from_json(text);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument);
    return 0;
  }
  try {
    const MergePlan plan = Merges(store()).plan(request, 1'700'000'100'000);
    require(plan.survivor == request.survivor && plan.absorbed == request.absorbed);
    require(plan.rows >= 1 + static_cast<std::int64_t>(plan.absorbed.size()));  // the records themselves
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument || e.code() == Errc::not_found || e.code() == Errc::conflict);
  }
  return 0;
}
