// Trailers of tag messages (core/trailers.h), read whenever the editions of a document are
// listed: any message parses without a crash, the trailers charta reads are looked up as it looks
// them up, and trailers that charta could have written survive formatMessage and parseTrailers.
#include "core/time.h"
#include "core/trailers.h"
#include "fuzz/fuzz_check.h"

using charta::fuzz::require;
namespace core = charta::core;

namespace {

bool isToken(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view message = charta::fuzz::asText(data, size);
  core::Trailers trailers = core::parseTrailers(message);
  for (const char* key :
       {"Effective-From", "Material", "Renew-Purposes", "Summary", "Forced", "Reason"}) {
    const std::string* value = core::findTrailer(trailers, key);
    if (value && std::string_view(key) == "Effective-From") core::parseRfc3339Zoned(*value);
  }

  bool writable = !trailers.empty();
  for (const auto& [key, value] : trailers) {
    require(isToken(key), "trailer keys are tokens");
    bool trimmed = value.empty() || (value.front() != ' ' && value.back() != ' ');
    writable = writable && trimmed && core::isTrailerSafe(value);
  }
  if (writable) {
    std::string again = core::formatMessage("Publish personal-data v1", "", trailers);
    require(core::parseTrailers(again) == trailers, "written trailers read back the same");
  }
  return 0;
}
