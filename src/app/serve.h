#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <string>
#include <vector>

namespace charta::repository {
class PolicyRepository;
}
namespace charta::http {
class SiteService;
class Metrics;
class ApiRouter;
}  // namespace charta::http
namespace charta::ledger {
class Ledger;
}

namespace charta::app {

// What API modules are built from; addApiModules (api_modules.cpp) adds every module to "api".
struct ApiParts {
  Poco::Util::LayeredConfiguration& config;
  repository::PolicyRepository& repo;
  http::SiteService& pages;
  ledger::Ledger& ledger;
  http::Metrics& metrics;
  http::ApiRouter& api;
};
void addApiModules(ApiParts& parts);

// `charta serve`: runs the server until SIGTERM/SIGINT; requests in flight finish first.
int runServe(Poco::AutoPtr<Poco::Util::LayeredConfiguration> config);

// `charta build-site --out DIR [--at T]`: writes the public pages as the server would send
// them at T, plus schedule.json. Returns an exit code; writes messages to "out"/"err".
int runBuildSite(Poco::AutoPtr<Poco::Util::LayeredConfiguration> config, const std::string& outDir,
                 const std::string& at, std::ostream& out);

}  // namespace charta::app
