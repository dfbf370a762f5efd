#pragma once

// The site's display options from the configuration: site.timezone (a fixed offset or a zone of
// the system's zoneinfo) and site.link_base.

#include <Poco/Util/AbstractConfiguration.h>

#include <filesystem>
#include <string>

#include "core/time_zone.h"
#include "render/site.h"

namespace charta::app {

// The zone "value" names: empty, the built-in Kazakhstan rule; "+05:00", a fixed offset; else a
// zone name looked up in "zoneinfo" (a TZif file).
// throws InvalidInput: "value" is neither, the zoneinfo directory is missing (tzdata is not
//   installed), the zone is not there, or its file is not a valid TZif file.
core::TimeZone loadTimeZone(const std::string& value, const std::filesystem::path& zoneinfo);

// The zoneinfo directory: $TZDIR, else /usr/share/zoneinfo.
std::filesystem::path zoneinfoDir();

// site.timezone, site.link_base, site.feed_entries and site.archive_page_size.
// throws InvalidInput: one is not valid (one line saying which and why).
render::SiteOptions siteOptions(const Poco::Util::AbstractConfiguration& config);

// server.page_cache_bytes. throws InvalidInput: less than 1 MiB.
size_t pageCacheBytes(const Poco::Util::AbstractConfiguration& config);

}  // namespace charta::app
