#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace charta::fuzz {

// Aborts with "what" unless "ok": a broken contract is reported like a crash, so libFuzzer keeps
// the input and the ctest driver fails.
inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: contract broken: %s\n", what);
  std::abort();
}

inline std::string_view asText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace charta::fuzz
