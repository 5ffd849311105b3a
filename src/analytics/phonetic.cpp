#include "analytics/phonetic.hpp"

namespace crmkit::analytics {

namespace {

bool vowel(char c) noexcept { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

bool starts(const std::string& s, std::size_t at, std::string_view with) noexcept {
  return s.compare(at, with.size(), with) == 0 && at + with.size() <= s.size();
}

bool ends(const std::string& s, std::string_view with) noexcept {
  return s.size() >= with.size() && s.compare(s.size() - with.size(), with.size(), with) == 0;
}

}  // namespace

std::string nysiis(std::string_view name) {
  std::string s;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') s.push_back(static_cast<char>(c - 'a' + 'A'));
    else if (c >= 'A' && c <= 'Z') s.push_back(c);
  }
  if (s.empty()) return s;

  // Step 1: the name's beginning.
  if (starts(s, 0, "MAC")) s.replace(0, 3, "MCC");
  else if (starts(s, 0, "KN")) s.replace(0, 2, "NN");
  else if (s[0] == 'K') s[0] = 'C';
  else if (starts(s, 0, "PH") || starts(s, 0, "PF")) s.replace(0, 2, "FF");
  else if (starts(s, 0, "SCH")) s.replace(0, 3, "SSS");
  // Step 2: its end.
  if (ends(s, "EE") || ends(s, "IE")) s.replace(s.size() - 2, 2, "Y");
  else if (ends(s, "DT") || ends(s, "RT") || ends(s, "RD") || ends(s, "NT") || ends(s, "ND"))
    s.replace(s.size() - 2, 2, "D");

  // Steps 3-4: the name is rewritten in place, so a later H or W sees the rewritten letter
  // before it (MATTHEWS: the E became A, so the W is dropped).
  std::string key(1, s[0]);
  for (std::size_t i = 1; i < s.size(); ++i) {
    char& c = s[i];
    bool has_next = i + 1 < s.size();
    if (c == 'E' && has_next && s[i + 1] == 'V') { c = 'A'; s[i + 1] = 'F'; }
    else if (vowel(c)) c = 'A';
    else if (c == 'Q') c = 'G';
    else if (c == 'Z') c = 'S';
    else if (c == 'M') c = 'N';
    else if (c == 'K') { if (has_next && s[i + 1] == 'N') c = 'N'; else c = 'C'; }
    else if (starts(s, i, "SCH")) { s[i + 1] = 'S'; s[i + 2] = 'S'; }
    else if (starts(s, i, "PH")) { c = 'F'; s[i + 1] = 'F'; }
    else if (c == 'H') { if (!vowel(s[i - 1]) || !has_next || !vowel(s[i + 1])) c = s[i - 1]; }
    else if (c == 'W') { if (vowel(s[i - 1])) c = s[i - 1]; }
    if (c != key.back()) key.push_back(c);
  }

  // Step 5: the key's end.
  if (key.size() > 1 && key.back() == 'S') key.pop_back();
  if (ends(key, "AY")) key.replace(key.size() - 2, 2, "Y");
  if (key.size() > 1 && key.back() == 'A') key.pop_back();
  return key;
}

}  // namespace crmkit::analytics
