// RFC 3339 times (core/time.h) as they arrive in request bodies, query strings and tag trailers:
// whatever parses formats back to a text that parses to the same instant and offset, and the
// page's date formatting (render/site.h) takes any parsed instant.
#include "core/time.h"
#include "fuzz/fuzz_check.h"
#include "render/site.h"

using charta::fuzz::require;
namespace core = charta::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = charta::fuzz::asText(data, size);
  auto plain = core::parseRfc3339(input);
  auto zoned = core::parseRfc3339Zoned(input);
  require(plain.has_value() == zoned.has_value(), "both parsers agree on validity");
  if (!zoned) return 0;
  require(*plain == zoned->instant, "both parsers agree on the instant");
  require(zoned->offset.count() > -24 * 60 && zoned->offset.count() < 24 * 60,
          "offsets stay within a day");

  for (bool useZ : {true, false}) {
    std::string text = core::formatRfc3339(zoned->instant, zoned->offset, useZ);
    auto again = core::parseRfc3339Zoned(text);
    require(again.has_value(), "a formatted time parses");
    require(again->instant == zoned->instant, "formatting keeps the instant");
    require(again->offset == zoned->offset, "formatting keeps the offset");
  }
  std::string utc = core::formatRfc3339(zoned->instant);
  require(core::parseRfc3339(utc) == zoned->instant, "the UTC form keeps the instant");

  static const auto ru = *core::Lang::parse("ru");
  static const auto en = *core::Lang::parse("en");
  require(!charta::render::formatMoment(zoned->instant, ru).empty(), "a moment in Russian");
  require(!charta::render::formatMoment(zoned->instant, en).empty(), "a moment in English");
  return 0;
}
