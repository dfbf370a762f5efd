#pragma once

#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>
#include <vector>

#include "core/sha256.h"
#include "core/time.h"
#include "support/sandbox.h"
#include "support/server_process.h"

namespace charta::apitest {

using testing::http;
using testing::HttpResponse;
using testing::Sandbox;
using testing::ServerProcess;

// Bearer tokens of the test configuration, one per role.
inline constexpr const char* kLegalToken = "legal-token-for-tests-0001";
inline constexpr const char* kSiteToken = "site-token-for-tests-0002";
inline constexpr const char* kAuditorToken = "auditor-token-for-tests-0003";

inline std::string tokensDefinition() {
  return "auth.tokens=legal:legal:" + core::sha256Hex(kLegalToken) +
         ";site:site:" + core::sha256Hex(kSiteToken) +
         ";auditor:auditor:" + core::sha256Hex(kAuditorToken);
}

inline std::map<std::string, std::string> bearer(const char* token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

inline Poco::JSON::Object::Ptr object(const std::string& body) {
  INFO("body: " << body);
  Poco::Dynamic::Var v;
  REQUIRE_NOTHROW(v = Poco::JSON::Parser().parse(body));
  REQUIRE(v.type() == typeid(Poco::JSON::Object::Ptr));
  return v.extract<Poco::JSON::Object::Ptr>();
}

inline std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  REQUIRE_MESSAGE(o->has(key), "missing member " << key);
  return o->getValue<std::string>(key);
}

// An RFC 9457 problem with the given status and type slug.
inline void checkProblem(const HttpResponse& r, int status, const std::string& slug = "") {
  INFO("status " << r.status << " body " << r.body);
  CHECK(r.status == status);
  CHECK(r.header("content-type") == "application/problem+json");
  auto o = object(r.body);
  CHECK(o->getValue<int>("status") == status);
  CHECK_FALSE(str(o, "title").empty());
  CHECK(o->has("detail"));
  if (!slug.empty()) CHECK(str(o, "type") == "https://charta.dev/problems/" + slug);
}

inline std::string formatAt(core::Instant t) {
  return core::formatRfc3339(t, core::kKazakhstanOffset, false);
}

// A sandbox with `charta init --from tests/api/seed` done (v1 of personal-data published) and a
// clone "wt" of the policy repository in which tests commit and push with the git CLI.
struct ApiSite {
  Sandbox box;
  ApiSite() {
    auto r = testing::run({testing::chartaBinary(), "init", "--from",
                           (testing::sourceDir() / "tests/api/seed").string()},
                          box.path(), testing::gitEnv());
    REQUIRE_MESSAGE(r.status == 0, r.err);
    testing::sh("git clone -q var/policies.git wt", box.path());
  }
  // Appends "line" to the last clause of the Russian text (an unnumbered paragraph, so that
  // numbering checks have nothing to say), commits and pushes; returns the new commit id.
  std::string commitEdit(const std::string& line) {
    testing::sh("printf '\\n%s\\n' '" + line +
                    "' >> personal-data/ru.md && git commit -qam edit && git push -q origin main",
                box / "wt");
    std::string id = testing::sh("git rev-parse HEAD", box / "wt");
    return id.substr(0, 40);
  }
  // Publishes with the CLI; returns its JSON output.
  Poco::JSON::Object::Ptr publishCli(const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {testing::chartaBinary(), "--json", "publish", "personal-data"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::run(argv, box.path(), testing::gitEnv());
    REQUIRE_MESSAGE(r.status == 0, r.err);
    return object(r.out);
  }
  std::vector<std::string> defs(std::vector<std::string> more = {}) const {
    more.push_back(tokensDefinition());
    return more;
  }
};

}  // namespace charta::apitest
