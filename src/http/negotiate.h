#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/ids.h"

namespace charta::http {

// Chooses among "available" by an Accept-Language header (RFC 9110 12.5.4): the highest q wins,
// earlier in the header on ties; "ru-KZ" matches "ru"; "*" matches the first available; q=0
// excludes. Returns nullopt when nothing acceptable is available (the caller uses its default).
// Malformed parts are skipped; at most 32 ranges are read.
std::optional<core::Lang> negotiateLanguage(std::string_view header,
                                            const std::vector<core::Lang>& available);

}  // namespace charta::http
