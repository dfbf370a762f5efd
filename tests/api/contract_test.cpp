// The API as a whole: the OpenAPI document describes exactly the routes the server answers, and
// /metrics is valid Prometheus text.
#include <chrono>
#include <cmath>
#include <regex>
#include <set>
#include <thread>

#include "api/api_support.h"
#include "api/current.h"
#include "api/router.h"
#include "app/config.h"
#include "app/serve.h"
#include "ledger/ledger.h"
#include "render/site.h"
#include "repository/policy_repository.h"

using namespace charta;
using namespace charta::apitest;

namespace {

// "GET /api/v1/documents/{doc}" for every operation of the OpenAPI document.
std::set<std::string> describedRoutes() {
  auto spec = object(testing::slurp(testing::sourceDir() / "api/openapi.json"));
  CHECK(str(spec, "openapi").rfind("3.1", 0) == 0);
  std::set<std::string> out;
  auto paths = spec->getObject("paths");
  for (const auto& [path, item] : *paths) {
    auto ops = item.extract<Poco::JSON::Object::Ptr>();
    for (const auto& [method, op] : *ops) {
      static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch"};
      if (!kMethods.count(method)) continue;
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(m + " " + path);
    }
  }
  return out;
}

// The routes the server's modules list, from the composition root the server uses.
std::set<std::string> serverRoutes(const Sandbox& box) {
  auto config = app::loadConfig("", {"site.data_dir=" + testing::sourceDir().string(),
                                     "repository.path=" + (box / "var/policies.git").string()});
  auto repo = repository::PolicyRepository::open(box / "var/policies.git");
  render::Site site(testing::sourceDir());
  auto ledger = ledger::openLedger("sqlite:" + (box / "var/route-test.db").string());
  app::Services application(*config, *repo, *ledger, site);
  application.catalog.refresh();
  http::Metrics metrics;
  api::CurrentAnswers current(application.pages);
  api::ApiRouter router(api::TokenStore(), metrics);
  app::addApiModules(router, application, current, metrics, *config);
  auto routes = router.routes();
  return std::set<std::string>(routes.begin(), routes.end());
}

std::string concrete(std::string path) {
  static const std::vector<std::pair<std::string, std::string>> kValues = {
      {"{doc}", "personal-data"},
      {"{edition}", "v1"},
      {"{subject}", "subject-0001"},
      {"{commit}", "0000000000000000000000000000000000000000"},
      {"{id}", "00000000-0000-4000-8000-000000000000"}};
  for (const auto& [name, value] : kValues) {
    for (size_t p; (p = path.find(name)) != std::string::npos;) path.replace(p, name.size(), value);
  }
  return path;
}

// --- a strict parser of the Prometheus text format 0.0.4 ---

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram|summary|untyped
  std::vector<Sample> samples;
};

double parseValue(const std::string& v) {
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  if (v == "NaN") return NAN;
  static const std::regex kNumber(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  if (!std::regex_match(v, kNumber)) throw std::runtime_error("bad value \"" + v + "\"");
  return std::stod(v);
}

std::string familyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

Exposition parseExposition(const std::string& text) {
  static const std::regex kName(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
  static const std::regex kLabel(R"([a-zA-Z_][a-zA-Z0-9_]*)");
  if (text.empty() || text.back() != '\n') throw std::runtime_error("must end with a newline");
  Exposition ex;
  std::set<std::string> seenSeries, familiesWithSamples;
  std::string lastFamily;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    auto fail = [&](const std::string& why) {
      throw std::runtime_error("line " + std::to_string(no) + ": " + why + ": " + line);
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream ls(line);
      std::string hash, kind, name;
      ls >> hash >> kind >> name;
      if (kind != "HELP" && kind != "TYPE") continue;  // other comments are allowed
      if (!std::regex_match(name, kName)) fail("bad metric name");
      if (kind == "TYPE") {
        std::string type;
        ls >> type;
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (!kTypes.count(type)) fail("unknown type");
        if (ex.types.count(name)) fail("second TYPE line for a family");
        if (familiesWithSamples.count(name)) fail("TYPE after the family's samples");
        ex.types[name] = type;
      }
      continue;
    }
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, kName)) fail("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) fail("label without =");
        std::string label = line.substr(i, eq - i);
        if (!std::regex_match(label, kLabel)) fail("bad label name");
        if (eq + 1 >= line.size() || line[eq + 1] != '"') fail("label value not quoted");
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            ++j;
            if (j >= line.size()) fail("dangling escape");
            if (line[j] == 'n')
              value += '\n';
            else if (line[j] == '\\' || line[j] == '"')
              value += line[j];
            else
              fail("bad escape");
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) fail("unterminated label value");
        if (!s.labels.emplace(label, value).second) fail("repeated label");
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
    }
    if (i >= line.size() || line[i] != ' ') fail("no value");
    std::istringstream rest(line.substr(i + 1));
    std::string value, timestamp, extra;
    rest >> value >> timestamp >> extra;
    if (!extra.empty()) fail("trailing text");
    s.value = parseValue(value);
    std::string family = familyOf(s.name, ex.types);
    if (family != lastFamily && familiesWithSamples.count(family)) fail("family split up");
    familiesWithSamples.insert(family);
    lastFamily = family;
    std::string key = s.name;
    for (const auto& [k, v] : s.labels) key += "|" + k + "=" + v;
    if (!seenSeries.insert(key).second) fail("repeated series");
    auto type = ex.types.find(family);
    if (type != ex.types.end() && type->second == "counter" && !(s.value >= 0)) {
      fail("negative counter");
    }
    ex.samples.push_back(std::move(s));
  }
  // Histograms: buckets cumulative, +Inf equals _count.
  for (const auto& [family, type] : ex.types) {
    if (type != "histogram") continue;
    double last = -1, inf = -1, count = -1;
    for (const auto& s : ex.samples) {
      if (s.name == family + "_bucket") {
        if (!s.labels.count("le")) throw std::runtime_error(family + ": bucket without le");
        if (s.value < last) throw std::runtime_error(family + ": buckets not cumulative");
        last = s.value;
        if (s.labels.at("le") == "+Inf") inf = s.value;
      }
      if (s.name == family + "_count") count = s.value;
    }
    if (inf < 0 || inf != count) throw std::runtime_error(family + ": +Inf bucket != _count");
  }
  return ex;
}

bool hasSample(const Exposition& ex, const std::string& name,
               const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : ex.samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) all = all && s.labels.count(k) && s.labels.at(k) == v;
    if (all) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every route the server answers is described, and every described route answers") {
  ApiSite site;
  const auto described = describedRoutes();
  const auto answered = serverRoutes(site.box);
  for (const auto& r : answered) {
    CAPTURE(r);
    CHECK(described.count(r) == 1);
  }
  for (const auto& r : described) {
    CAPTURE(r);
    CHECK(answered.count(r) == 1);
  }

  ServerProcess server(site.box.path(), site.defs());
  for (const auto& r : described) {
    CAPTURE(r);
    std::string method = r.substr(0, r.find(' '));
    std::string path = concrete(r.substr(r.find(' ') + 1));
    auto resp = method == "GET"
                    ? charta::testing::http(server.port(), "GET", path)
                    : charta::testing::http(server.port(), method, path,
                                            {{"Content-Type", "application/json"}}, "{}");
    CHECK(resp.status != 405);
    CHECK(resp.body.find("There is no such API resource.") == std::string::npos);
    if (resp.status >= 400) CHECK(resp.header("content-type") == "application/problem+json");
    // The other methods of a route are refused with 405 and an Allow header, not 404.
    auto other = charta::testing::http(server.port(), method == "GET" ? "DELETE" : "GET", path);
    CHECK(other.status == 405);
    CHECK_FALSE(other.header("allow").empty());
  }
  // And nothing else under /api answers.
  for (const char* path : {"/api", "/api/v1", "/api/v1/", "/api/v2/documents",
                           "/api/v1/documents/personal-data/current/x",
                           "/api/v1/documents/personal-data/editions/v1/text"}) {
    CAPTURE(path);
    auto r = charta::testing::http(server.port(), "GET", path);
    CHECK(r.status == 404);
    CHECK(r.header("content-type") == "application/problem+json");
  }
  // The document itself is served.
  auto spec = charta::testing::http(server.port(), "GET", "/api/v1/openapi.json");
  CHECK(spec.status == 200);
  CHECK(spec.body == testing::slurp(testing::sourceDir() / "api/openapi.json"));
  CHECK(charta::testing::http(server.port(), "GET", "/api/v1/openapi.json",
                              {{"If-None-Match", spec.header("etag")}})
            .status == 304);
}

TEST_CASE("/metrics is valid Prometheus text with the operator's series") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  // Traffic of several kinds: pages, API reads, an error, a publication conflict.
  charta::testing::http(server.port(), "GET", "/personal-data");
  charta::testing::http(server.port(), "GET", "/api/v1/documents/personal-data/current");
  charta::testing::http(server.port(), "GET", "/api/v1/documents/nope/current");
  auto h = bearer(kLegalToken);
  h["Content-Type"] = "application/json";
  h["If-Match"] = "\"stale\"";
  charta::testing::http(server.port(), "POST", "/api/v1/documents/personal-data/publications", h,
                        "{}");
  // A request is counted once its answer has been sent, so a sample may show up a moment after
  // the client has read that answer: read the exposition until the samples awaited are there.
  Exposition ex;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto r = charta::testing::http(server.port(), "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
    try {
      ex = parseExposition(r.body);
    } catch (const std::exception& e) {
      FAIL(e.what() << "\n" << r.body);
    }
    if (hasSample(ex, "charta_http_requests_total", {{"route", "page"}, {"status", "200"}}) &&
        hasSample(ex, "charta_http_requests_total",
                  {{"route", "/api/v1/documents/{doc}/current"}, {"status", "200"}}) &&
        hasSample(ex, "charta_publication_conflicts_total", {{"reason", "precondition"}})) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(ex.types["charta_http_requests_total"] == "counter");
  CHECK(ex.types["charta_http_request_duration_seconds"] == "histogram");
  CHECK(ex.types["charta_render_duration_seconds"] == "histogram");
  CHECK(hasSample(ex, "charta_http_requests_total",
                  {{"route", "/api/v1/documents/{doc}/current"}, {"status", "200"}}));
  CHECK(hasSample(ex, "charta_http_requests_total", {{"route", "page"}, {"status", "200"}}));
  CHECK(hasSample(ex, "charta_http_request_duration_seconds_bucket", {{"le", "+Inf"}}));
  CHECK(hasSample(ex, "charta_publication_conflicts_total", {{"reason", "precondition"}}));
  // No subject ids or paths as labels: routes are templates.
  for (const auto& s : ex.samples) {
    if (s.labels.count("route"))
      CHECK(s.labels.at("route").find("personal-data") == std::string::npos);
  }
  // The parser itself refuses what is not Prometheus text.
  for (const char* bad : {"x 1", "x{a=\"1\" 1\n", "1x 1\n", "x{a=1} 1\n", "x one\n",
                          "# TYPE x counter\nx 1\n# TYPE x counter\n", "x 1\ny 1\nx{a=\"b\"} 2\n",
                          "x 1\nx 1\n", "# TYPE x counter\nx -1\n"}) {
    CAPTURE(bad);
    CHECK_THROWS(parseExposition(bad));
  }
}
