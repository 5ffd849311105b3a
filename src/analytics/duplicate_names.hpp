// The name tables of the duplicate-detection enumerations: the one source from which their
// to_string and parse functions, the explanations' text and the error messages read.
#pragma once

#include <iterator>

#include "base/enum_table.hpp"
#include "crmkit/duplicates.hpp"

namespace crmkit::detail {

inline constexpr EnumName<MatchField> kMatchFieldNames[] = {
    {MatchField::given_name, "given_name"},   {MatchField::family_name, "family_name"},
    {MatchField::full_name, "full_name"},     {MatchField::email, "email"},
    {MatchField::phone, "phone"},             {MatchField::birth_date, "birth_date"},
    {MatchField::street, "street"},           {MatchField::city, "city"},
    {MatchField::postal_code, "postal_code"}, {MatchField::region, "region"},
    {MatchField::country, "country"},         {MatchField::organization, "organization"},
    {MatchField::domain, "domain"},           {MatchField::external_id, "external_id"},
    {MatchField::identifier, "identifier"}};
static_assert(std::size(kMatchFieldNames) == kMatchFieldCount, "one name per MatchField");

inline constexpr EnumName<Comparator> kComparatorNames[] = {
    {Comparator::exact, "exact"},       {Comparator::normalized, "normalized"},
    {Comparator::prefix, "prefix"},     {Comparator::jaro_winkler, "jaro_winkler"},
    {Comparator::phonetic, "phonetic"}, {Comparator::equal_date, "equal_date"}};

inline constexpr EnumName<DuplicateVerdict> kDuplicateVerdictNames[] = {{DuplicateVerdict::duplicate, "duplicate"},
                                                                        {DuplicateVerdict::suspect, "suspect"},
                                                                        {DuplicateVerdict::distinct, "distinct"}};

}  // namespace crmkit::detail
