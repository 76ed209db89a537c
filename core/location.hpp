#pragma once
// The normalised key of a place, so "55 North Center Street" and "55 n center st" are the
// same place for duplicate detection. Pure text rules; no geocoding.

#include <string>
#include <string_view>

namespace civicline::core {

/// Lowercase, accents and punctuation dropped, spaces collapsed, street suffixes and
/// directionals contracted ("Street" -> "st", "North" -> "n", "Avenida" -> "av"),
/// ordinals written as digits ("First" -> "1st"), so that equal places get equal keys.
std::string location_key(std::string_view text);

}  // namespace civicline::core
