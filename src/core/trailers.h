#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace charta::core {

// Trailers of a git message in `git interpret-trailers` form: the last paragraph, made only of
// "Key: value" lines. Keys are case-insensitive on reading; order and repetition are kept.
using Trailers = std::vector<std::pair<std::string, std::string>>;

// Returns the trailers of "message"; empty when its last paragraph is not a trailer block.
// A line starting with white space continues the previous value (joined with one space).
Trailers parseTrailers(std::string_view message);

// Returns the first value of "key" (case-insensitive), or nullptr.
const std::string* findTrailer(const Trailers& trailers, std::string_view key);

// Builds a message: "subject", an optional "body" paragraph, then the trailers.
// REQUIRES: keys are tokens ([A-Za-z0-9-]+) and values hold no line break or control character.
std::string formatMessage(std::string_view subject, std::string_view body,
                          const Trailers& trailers);

// True when "value" can be written as a one-line trailer value: valid UTF-8 without control
// characters (C0, DEL, C1) or Unicode line and paragraph separators, at most "maxBytes" bytes.
bool isTrailerSafe(std::string_view value, size_t maxBytes = 4096);

}  // namespace charta::core
