#pragma once

#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <iosfwd>
#include <string>

#include "api/current.h"
#include "api/router.h"
#include "app/record.h"
#include "http/metrics.h"
#include "ledger/ledger.h"
#include "render/site.h"
#include "repository/policy_repository.h"
#include "service/catalog.h"
#include "service/consents.h"
#include "service/evidence.h"
#include "service/evidence_bundle.h"
#include "service/pages.h"
#include "service/preview.h"
#include "service/publications.h"
#include "service/publishing.h"
#include "service/revisions.h"

namespace charta::app {

// The services of the application over one policy repository and one ledger, as configured:
// everything the API calls. Not copyable; the parts refer to each other.
struct Services {
  Services(const Poco::Util::AbstractConfiguration& config, repository::PolicyRepository& repo,
           ledger::Ledger& ledger, const render::Site& site);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  Record record;  // first: the catalog settles each snapshot with record.chain
  service::Catalog catalog;
  service::Pages pages;  // framed for HTTP (api::frame)
  service::Publishing publishing;
  service::Publications publications;
  service::Revisions revisions;
  service::Consents consents;
  service::Evidence evidence;
  repository::RawObjects objects;    // the git objects of evidence bundles
  service::EvidenceBundles bundles;  // GET /api/v1/consents/{id}/evidence
  service::Previews previews;        // drafts rendered as if published, in a cache of their own
};

// Adds every module of the JSON API over "app" to "router", in the order the router asks them.
void addApiModules(api::ApiRouter& router, Services& app, api::CurrentAnswers& current,
                   http::Metrics& metrics, const Poco::Util::AbstractConfiguration& config);

// `charta serve`: runs the server until SIGTERM/SIGINT; requests in flight finish first.
int runServe(Poco::Util::LayeredConfiguration& config);

// `charta build-site --out DIR [--at T]`: writes the public pages as the server sends them at
// "at", plus schedule.json; one line to "out" for what was written.
void buildSite(const Poco::Util::AbstractConfiguration& config, const std::string& outDir,
               core::Instant at, std::ostream& out);

}  // namespace charta::app
