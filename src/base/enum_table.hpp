// One table per enumeration: the value and its name, in declaration order. Parsing, printing,
// the messages that list the allowed names and the schema test (tests/unit/enums_test.cpp) all
// read the same table, so a value added to an enum is added in one place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmkit::detail {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

// The name of `value`, or "" when the value is not in the table (a cast from a bad integer):
// callers that validate test for the empty name.
template <class E, std::size_t N>
constexpr const char* enum_name(const EnumName<E> (&table)[N], E value) noexcept {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return "";
}

// "a, b, c": the allowed names for a message.
template <class E, std::size_t N>
std::string enum_names(const EnumName<E> (&table)[N]) {
  std::string out;
  for (const auto& e : table) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

// The names in table order, for lists that are handed on (the segment rule checker's).
template <class E, std::size_t N>
std::vector<std::string> enum_name_list(const EnumName<E> (&table)[N]) {
  std::vector<std::string> v;
  for (const auto& e : table) v.emplace_back(e.name);
  return v;
}

// Throws Error(invalid_argument): "<field> '<text>' is not one of <names>".
[[noreturn]] void throw_not_one_of(const char* field, std::string_view text, const std::string& names);

// Interaction channels, kinds and directions come from people and exports (`Web`, `PURCHASE`)
// and ignore ASCII case; every other name is matched exactly (tests pin `LEAD`, `Person` and
// `NPS` as refused). Either way the value has the table's canonical lower-case name.
enum class NameCase { exact, ignore_ascii };
bool same_name(std::string_view text, const char* name, NameCase c) noexcept;

template <class E, std::size_t N>
E parse_enum(const EnumName<E> (&table)[N], std::string_view text, const char* field,
             NameCase c = NameCase::exact) {
  for (const auto& e : table)
    if (same_name(text, e.name, c)) return e.value;
  throw_not_one_of(field, text, enum_names(table));
}

}  // namespace crmkit::detail
