// Internationalised domain names, through GNU libidn2 (the only file that includes it is
// idn.cpp): an email's match key spells its domain in ASCII, so "josé@café.fr" and
// "josé@xn--caf-dma.fr" are one address to the duplicate check and the suppression list.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crmkit::detail {

// The domain's ASCII form under IDNA2008 with UTS #46 mapping (non-transitional: "ß" stays a
// letter of its own, as browsers and mail servers now read it); lower case. An ASCII domain is
// only lower-cased. std::nullopt when IDNA refuses the domain; *why then says why.
std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* why = nullptr);

}  // namespace crmkit::detail
