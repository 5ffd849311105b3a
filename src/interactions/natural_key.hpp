// The natural key of an interaction: what identifies a fact that comes without an external_id.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "crmkit/interaction.hpp"

namespace crmkit::detail {

using NaturalKey = std::array<unsigned char, 16>;

// FNV-1a 128 over a canonical, length-prefixed encoding of every field but id and
// external_id (`attributes` is the checked, canonical JSON text from check_interaction).
// FNV-1a was chosen over SHA-256 because the key is computed on the insert path of every
// batch row and only has to tell honest rows apart: a collision cannot lose a row, since a
// row whose key is taken is compared field by field with the stored one and refused with
// conflict when they differ.
NaturalKey natural_key(const Interaction& in, const std::optional<std::string>& attributes);

}  // namespace crmkit::detail
