#include "app/serve.h"
#include "http/api.h"
#include "http/api_consents.h"
#include "http/api_diff.h"
#include "http/api_documents.h"
#include "http/api_publications.h"

namespace charta::app {

// Every API module of the server, in the order the router asks them.
void addApiModules(ApiParts& parts) {
  (void)parts;
  // [api-modules] one line per module: parts.api.add(http::makeXxxApi(...));
  parts.api.add(http::makeDiffApi(parts.repo));
  parts.api.add(http::makeConsentApi(parts.ledger, parts.pages, parts.repo, parts.metrics));
  parts.api.add(
      http::makeDocumentsApi(parts.repo, parts.pages, {parts.config.getInt("site.max_age_s", 60)}));
  parts.api.add(http::makePublicationsApi(parts.repo, parts.pages, parts.metrics,
                                          {parts.config.getString("publisher.email", ""),
                                           parts.config.getBool("repository.replica", false)}));
  parts.api.add(
      http::makeOpenApiModule(parts.config.getString("site.data_dir") + "/api/openapi.json"));
}

}  // namespace charta::app
