#pragma once

#include <string>
#include <string_view>

namespace charta::core {

// A JSON string literal of "s": quoted, escaped, control characters as \u00XX, and every byte of
// invalid UTF-8 as U+FFFD, so that any input stays valid JSON on one line (log lines, problems).
std::string jsonQuote(std::string_view s);

}  // namespace charta::core
