// charta serve | build-site | token
#include <Poco/JSON/Object.h>

#include "api/tokens.h"
#include "app/commands.h"
#include "app/serve.h"
#include "core/error.h"

namespace charta::app {

int runServeCommand(const CommandContext& c) {
  c.args.atMost(0);
  return runServe(c.config);
}

int runBuildSite(const CommandContext& c) {
  c.args.atMost(0);
  auto out = c.args.option("out");
  if (!out) throw InvalidInput("--out DIR is required");
  auto at = c.time("at");
  buildSite(c.config, *out, at ? at->instant : core::now(), c.out);
  return kOk;
}

int runToken(const CommandContext& c) {
  c.args.atMost(1);
  if (c.args.need(0, "\"new\"") != "new") {
    throw InvalidInput("usage: charta token new --name N --roles R[+R]");
  }
  auto name = c.args.option("name");
  auto roles = c.args.option("roles");
  if (!name || !roles) throw InvalidInput("--name and --roles are required");
  api::NewToken t = api::newToken(*name, *roles);
  if (c.json) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("token", t.token);
    o->set("config_entry", t.entry);
    c.printJson(o);
  } else {
    c.out << "token (give it to the client; it is not stored): " << t.token << '\n'
          << "auth.tokens entry: " << t.entry << '\n';
  }
  return kOk;
}

}  // namespace charta::app
