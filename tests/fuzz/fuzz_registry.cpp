// charta.xml (repository/registry_xml.h), read at every revision the server or the CLI looks at:
// any bytes either parse into a registry that keeps the documented rules or are refused with
// InvalidInput; nothing else escapes.
#include <set>

#include "core/clauses.h"
#include "core/error.h"
#include "core/ids.h"
#include "fuzz/fuzz_check.h"
#include "repository/registry_xml.h"

using charta::fuzz::require;
namespace core = charta::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  core::Registry registry;
  try {
    registry = charta::repository::parseRegistry(charta::fuzz::asText(data, size));
  } catch (const charta::InvalidInput&) {
    return 0;
  }
  std::set<std::string> ids, routes;
  for (const auto& doc : registry.documents) {
    require(ids.insert(doc.id.str()).second, "document ids are unique");
    require(routes.insert(doc.route).second, "routes are unique");
    require(!charta::repository::isReservedRoute(doc.route), "no document takes a reserved route");
    require(doc.file(doc.controllingLang) != nullptr, "the controlling language has a text");
    require(!doc.langs.empty() && doc.langs.front() == doc.controllingLang,
            "the controlling language comes first");
    for (const auto& p : doc.purposes) {
      require(core::isClauseRef(p.clause), "purpose clauses are clause ids or heading anchors");
    }
  }
  return 0;
}
