#include "app/serve.h"
#include "http/api.h"

namespace charta::app {

// Every API module of the server, in the order the router asks them.
void addApiModules(ApiParts& parts) {
  (void)parts;
  // [api-modules] one line per module: parts.api.add(http::makeXxxApi(...));
}

}  // namespace charta::app
