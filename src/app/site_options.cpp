#include "app/site_options.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace charta::app {
namespace {

constexpr std::uintmax_t kMaxTzifBytes = 1 << 20;  // the largest zone file is under 4 KiB

std::string tzError(const std::string& value, const std::string& why) {
  return "site.timezone \"" + value + "\": " + why;
}

}  // namespace

std::filesystem::path zoneinfoDir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path("/usr/share/zoneinfo");
}

core::TimeZone loadTimeZone(const std::string& value, const std::filesystem::path& zoneinfo) {
  if (value.empty()) return core::TimeZone();
  if (value[0] == '+' || value[0] == '-' || value == "Z" || value == "UTC") {
    auto offset = core::parseUtcOffset(value);
    if (!offset) throw InvalidInput(tzError(value, "not an offset like +05:00 (at most ±18:00)"));
    return core::TimeZone::fixed(*offset);
  }
  if (!core::isZoneName(value)) {
    throw InvalidInput(tzError(value, "neither an offset like +05:00 nor a zone like Asia/Almaty"));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(zoneinfo, ec)) {
    throw InvalidInput(tzError(value, "there is no zoneinfo directory " + zoneinfo.string() +
                                          " (install the tzdata package, or give an offset "
                                          "like +05:00)"));
  }
  std::filesystem::path file = zoneinfo / value;
  auto size = std::filesystem::file_size(file, ec);
  if (ec || !std::filesystem::is_regular_file(file, ec)) {
    throw InvalidInput(tzError(value, "no such zone in " + zoneinfo.string()));
  }
  if (size > kMaxTzifBytes) throw InvalidInput(tzError(value, file.string() + " is too large"));
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw InvalidInput(tzError(value, "cannot read " + file.string()));
  std::string why;
  auto zone = core::TimeZone::fromTzif(bytes, value, &why);
  if (!zone) throw InvalidInput(tzError(value, file.string() + ": " + why));
  return *zone;
}

render::SiteOptions siteOptions(const Poco::Util::AbstractConfiguration& config) {
  render::SiteOptions o;
  o.zone = loadTimeZone(config.getString("site.timezone", ""), zoneinfoDir());
  o.linkBase = config.getString("site.link_base", "");
  const std::string& b = o.linkBase;
  bool absolute = b.rfind("https://", 0) == 0 || b.rfind("http://", 0) == 0;
  bool plain = b.find_first_of(" \t\r\n\"<>") == std::string::npos;
  if (!b.empty() && (!absolute || !plain || b.size() > 2048)) {
    throw InvalidInput("site.link_base \"" + b + "\": not an absolute http(s) URL");
  }
  auto count = [](const char* key, int n) {
    if (n < 1 || n > 10000) {
      throw InvalidInput(std::string(key) + " \"" + std::to_string(n) + "\": not 1 to 10000");
    }
    return static_cast<size_t>(n);
  };
  o.feedEntries = count("site.feed_entries", config.getInt("site.feed_entries", 50));
  o.archivePageSize = count("site.archive_page_size", config.getInt("site.archive_page_size", 50));
  return o;
}

size_t pageCacheBytes(const Poco::Util::AbstractConfiguration& config) {
  const int64_t n = config.getInt64("server.page_cache_bytes", int64_t{64} << 20);
  if (n < (int64_t{1} << 20)) {
    throw InvalidInput("server.page_cache_bytes \"" + std::to_string(n) +
                       "\": at least 1048576 (1 MiB)");
  }
  return static_cast<size_t>(n);
}

}  // namespace charta::app
