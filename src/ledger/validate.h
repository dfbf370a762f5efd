#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ledger/ledger.h"

namespace charta::ledger {

inline constexpr std::size_t kMaxEvidenceBytes = 4096;
inline constexpr std::size_t kMaxPurposes = 64;
inline constexpr std::size_t kMaxEvidenceDepth = 16;

// Checks every field of "event" and returns it normalized: hex digests in lower case, purposes
// sorted with duplicates removed. Pure; thread-safe.
// throws InvalidInput: the first malformed field, named in the message (never its value).
NewEvent normalize(const NewEvent& event);

// True when "text" is at most kMaxEvidenceBytes of UTF-8 holding one JSON object nested at most
// kMaxEvidenceDepth levels deep.
bool isEvidenceObject(std::string_view text);

}  // namespace charta::ledger
