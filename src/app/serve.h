#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <string>
#include <vector>

namespace charta::app {

// `charta serve`: runs the server until SIGTERM/SIGINT; requests in flight finish first.
int runServe(Poco::AutoPtr<Poco::Util::LayeredConfiguration> config);

// `charta build-site --out DIR [--at T]`: writes the public pages as the server would send
// them at T, plus schedule.json. Returns an exit code; writes messages to "out"/"err".
int runBuildSite(Poco::AutoPtr<Poco::Util::LayeredConfiguration> config, const std::string& outDir,
                 const std::string& at, std::ostream& out);

}  // namespace charta::app
