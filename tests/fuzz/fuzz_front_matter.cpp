// Front matter of a policy text (core/front_matter.h): any bytes split without a crash, the body
// is the tail of the input and bodyLine counts the lines before it.
#include <algorithm>

#include "core/front_matter.h"
#include "fuzz/fuzz_check.h"

using charta::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = charta::fuzz::asText(data, size);
  charta::core::MarkdownFile f = charta::core::splitFrontMatter(input);

  const char* end = input.data() + input.size();
  require(f.body.data() >= input.data() && f.body.data() + f.body.size() == end,
          "the body is the tail of the input");
  size_t skipped = static_cast<size_t>(f.body.data() - input.data());
  std::string_view before = input.substr(0, skipped);
  if (before.substr(0, 3) == "\xEF\xBB\xBF") before.remove_prefix(3);
  // An empty body after a closing line without a line break starts on the line after it.
  size_t lines = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  require(f.bodyLine == lines || (f.body.empty() && f.bodyLine == lines + 1),
          "bodyLine is the line at which the body starts");
  if (!f.hasFrontMatter) {
    require(f.meta.empty() && f.raw.empty(), "no front matter: no meta");
    require(before.empty(), "no front matter: the whole input (after a BOM) is the body");
  } else {
    require(f.raw.size() <= before.size(), "raw front matter lies before the body");
  }
  for (const auto& [key, value] : f.meta) {
    require(key.find('\n') == std::string::npos, "keys are one line");
    require(value.find('\n') == std::string::npos, "values are one line");
  }
  return 0;
}
