// Accept-Language negotiation (http/negotiate.h): any header picks one of the languages on offer
// or none, without a crash.
#include <algorithm>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "http/negotiate.h"

using charta::fuzz::require;
namespace core = charta::core;

namespace {

std::vector<core::Lang> langs(std::initializer_list<std::string_view> tags) {
  std::vector<core::Lang> out;
  for (auto t : tags) out.push_back(*core::Lang::parse(t));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header = charta::fuzz::asText(data, size);
  static const std::vector<std::vector<core::Lang>> offers = {
      {}, langs({"ru"}), langs({"ru", "kk", "en"}), langs({"en-GB", "kk"})};
  for (const auto& available : offers) {
    auto chosen = charta::http::negotiateLanguage(header, available);
    if (!chosen) continue;
    require(std::find(available.begin(), available.end(), *chosen) != available.end(),
            "the chosen language is one on offer");
  }
  return 0;
}
