// Contact point values read three ways (crmkit/contact_point.hpp): as given, canonical, and the
// match key. The keys are what duplicate checks and suppression compare, so each rule below
// says which spellings it takes to be the same point.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/enums.hpp"
#include "base/idn.hpp"
#include "base/text.hpp"
#include "crmkit/contact_point.hpp"
#include "customers/contact_points.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

constexpr std::size_t kMaxContactBytes = 1000;

[[noreturn]] void bad(const char* type, std::string_view text, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("{} '{}' {}", type, detail::printable(text), why));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

// Runs of white space become one space; the ends are trimmed.
std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The key of a canonical email: its domain in ASCII.
std::string email_key(const std::string& normalized, const std::string& text) {
  const auto at = normalized.find('@');
  std::string why;
  auto domain = detail::domain_to_ascii(std::string_view(normalized).substr(at + 1), &why);
  if (!domain) bad("email", text, fmt::format("has a domain that IDNA refuses ({})", why));
  return normalized.substr(0, at + 1) + *domain;
}

ContactValue email(const std::string& text) {
  ContactValue v;
  v.normalized = normalize_email(text);
  v.match_key = email_key(v.normalized, text);
  return v;
}

// Lines trimmed and their inner white space collapsed, empty lines dropped. The key also
// lower-cases ASCII letters and reads the punctuation people vary (". , ; : # ' \" ( ) -") as
// space, so "12 Main St." and "12 main st" are one address; words are not expanded ("St" is
// not "Street"): an abbreviation table is a country's, and a wrong one would merge two homes.
ContactValue address(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = collapse_spaces(std::string_view(text).substr(start, nl - start));
    if (!line.empty()) lines.push_back(std::move(line));
    start = nl + 1;
  }
  if (lines.empty()) bad("address", text, "is empty");
  ContactValue v;
  std::string key_lines;
  for (const auto& line : lines) {
    v.normalized += (v.normalized.empty() ? "" : "\n") + line;
    std::string k;
    for (char c : line) k += std::string_view(".,;:#'\"()-").find(c) != std::string_view::npos ? ' ' : lower_ascii(c);
    k = collapse_spaces(k);
    if (!k.empty()) key_lines += (key_lines.empty() ? "" : ", ") + k;
  }
  if (key_lines.empty()) bad("address", text, "has no letters or digits");
  v.match_key = std::move(key_lines);
  return v;
}

// http and https only (a contact point is a page a person is reached at); no scheme means
// https. The key is the host in ASCII without "www.", then the path and query without a
// trailing "/"; the scheme and the fragment do not make another page.
ContactValue url(const std::string& text) {
  std::string t = collapse_spaces(text);
  if (t.find(' ') != std::string::npos) bad("url", text, "contains white space");
  std::string scheme = "https";
  const auto sep = t.find("://");
  if (sep != std::string::npos) {
    scheme = lower_ascii(t.substr(0, sep));
    if (scheme != "http" && scheme != "https") bad("url", text, "is not an http or https address");
    t = t.substr(sep + 3);
  }
  const auto host_end = t.find_first_of("/?#");
  std::string host = lower_ascii(t.substr(0, host_end));
  std::string rest = host_end == std::string::npos ? "" : t.substr(host_end);
  if (host.empty()) bad("url", text, "has no host");
  if (host.find('@') != std::string::npos) bad("url", text, "has a user name before its host");
  std::string port;
  if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    port = host.substr(colon);
    host = host.substr(0, colon);
    if (port.size() < 2 || port.find_first_not_of("0123456789", 1) != std::string::npos)
      bad("url", text, "has a port that is not a number");
  }
  if (host.find('.') == std::string::npos) bad("url", text, "has a host without a '.'");
  // "www." or "a..b" would leave an empty label (and "www." an empty key once "www." is dropped).
  if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string::npos)
    bad("url", text, "has an empty label in its host");
  std::string why;
  auto ascii = detail::domain_to_ascii(host, &why);
  if (!ascii) bad("url", text, fmt::format("has a host that IDNA refuses ({})", why));
  ContactValue v;
  v.normalized = scheme + "://" + host + port + rest;
  std::string path = rest.substr(0, rest.find('#'));
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.rfind("/?", 0) == 0) path.erase(0, 1);
  std::string key_host = *ascii;
  if (key_host.rfind("www.", 0) == 0) key_host.erase(0, 4);
  v.match_key = key_host + port + path;
  return v;
}

// "network:handle". Networks are ASCII names ("twitter", "linkedin", "github"); handles are
// compared without ASCII case and without a leading '@', as the networks themselves do.
ContactValue social(const std::string& text) {
  std::string t = collapse_spaces(text);
  const auto colon = t.find(':');
  if (colon == std::string::npos) bad("social", text, "is not 'network:handle'");
  std::string network = lower_ascii(collapse_spaces(t.substr(0, colon)));
  std::string handle = collapse_spaces(t.substr(colon + 1));
  if (network.empty() || network.size() > 40 ||
      network.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    bad("social", text, "has a network name that is not 1..40 of a-z, 0-9, '.', '_', '-'");
  if (handle.empty() || handle == "@") bad("social", text, "has no handle after the ':'");
  if (handle.find(' ') != std::string::npos) bad("social", text, "has white space in its handle");
  ContactValue v;
  v.normalized = network + ":" + handle;
  v.match_key = network + ":" + lower_ascii(handle[0] == '@' ? handle.substr(1) : handle);
  return v;
}

}  // namespace

namespace detail {

ContactValue reading_of_normalized(ContactType type, const std::string& normalized) {
  // A phone's canonical spelling is its key, and an email's key follows from its canonical
  // spelling: no second parse (libphonenumber's is the costly part of creating a customer).
  if (type == ContactType::phone) return {normalized, normalized};
  if (type == ContactType::email) return {normalized, email_key(normalized, normalized)};
  return normalize_contact(type, normalized, "");
}

}  // namespace detail

const char* to_string(ContactType t) noexcept { return detail::enum_name(detail::kContactTypeNames, t); }

ContactType parse_contact_type(const std::string& text, const char* field) {
  return detail::parse_enum(detail::kContactTypeNames, text, field);
}

ContactValue normalize_contact(ContactType type, const std::string& value, const std::string& default_region) {
  const char* name = to_string(type);
  if (!*name) throw Error(Errc::invalid_argument, fmt::format("type {} is not a contact type", static_cast<int>(type)));
  detail::check_text(name, value, kMaxContactBytes);
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
      bad(name, value, "contains a control character");
  switch (type) {
    case ContactType::email: return email(value);
    case ContactType::phone: {
      ContactValue v;
      v.normalized = v.match_key = normalize_phone(value, default_region);
      return v;
    }
    case ContactType::address: return address(value);
    case ContactType::url: return url(value);
    case ContactType::social: return social(value);
  }
  throw Error(Errc::invalid_argument, "not a contact type");
}

}  // namespace crmkit
