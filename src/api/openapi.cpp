// GET /api/v1/openapi.json: see modules.h.
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

#include "api/modules.h"
#include "api/request.h"

namespace charta::api {
namespace {

class OpenApiModule : public ApiModule {
 public:
  explicit OpenApiModule(std::string bytes) : page_(answer(std::move(bytes))) {}
  std::vector<std::string> routes() const override { return {"GET /api/v1/openapi.json"}; }
  std::optional<http::Reply> handle(http::Request& req, core::Instant, const Caller&) override {
    if (req.path != "/api/v1/openapi.json") return std::nullopt;
    requireMethod(req, {"GET", "HEAD"});
    return send(req, *page_, "public, max-age=3600", "/api/v1/openapi.json");
  }

 private:
  std::shared_ptr<const service::Page> page_;
};

}  // namespace

std::unique_ptr<ApiModule> makeOpenApiModule(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read the OpenAPI document " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  try {
    Poco::JSON::Parser().parse(bytes);
  } catch (const Poco::Exception& e) {
    throw Error("the OpenAPI document " + path + " is not JSON: " + e.displayText());
  }
  return std::make_unique<OpenApiModule>(std::move(bytes));
}

}  // namespace charta::api
