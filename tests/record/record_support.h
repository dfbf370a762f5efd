#pragma once

#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "core/time.h"
#include "support/sandbox.h"
#include "support/server_process.h"

namespace charta::recordtest {

using testing::RunResult;
using testing::Sandbox;
using testing::ServerProcess;

inline constexpr const char* kLegalToken = "legal-token-for-record-tests-1";
inline constexpr const char* kSiteToken = "site-token-for-record-tests-2";

inline std::string tokens() {
  return "auth.tokens=legal:legal:" + core::sha256Hex(kLegalToken) +
         ";site:site:" + core::sha256Hex(kSiteToken);
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

inline std::string at(core::Instant t) {
  return core::formatRfc3339(t, core::kKazakhstanOffset, false);
}

// A sandbox where `charta init` made var/policies.git (bare, protected, v1 of personal-data
// published) and the legal team's clone "wt" of it, reached over file:// as a remote would be.
struct Record {
  Sandbox box;
  Record(std::vector<std::string> initArgs = {}) {
    initArgs.insert(initArgs.begin(), "init");
    RunResult r = charta(initArgs);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    testing::sh("git clone -q file://" + (box / "var/policies.git").string() + " wt", box.path());
  }
  std::string bare() const { return (box / "var/policies.git").string(); }

  // The real charta binary in the sandbox, stdin empty.
  RunResult charta(std::vector<std::string> args) const {
    args.insert(args.begin(), testing::chartaBinary());
    return testing::run(args, box.path(), testing::gitEnv());
  }
  // "script" with sh in the clone (or "dir"), whatever its exit status.
  RunResult shell(const std::string& script, const std::string& dir = "wt",
                  std::vector<std::string> env = {}) const {
    std::vector<std::string> all = testing::gitEnv();
    all.insert(all.end(), env.begin(), env.end());
    return testing::run({"sh", "-c", script}, box / dir, all);
  }
  // Commits an edit of the Russian text in the clone and pushes the branch.
  std::string commitEdit(const std::string& line) {
    testing::sh("printf '\\n%s\\n' '" + line +
                    "' >> personal-data/ru.md && git commit -qam edit && git push -q origin main",
                box / "wt");
    return testing::sh("git rev-parse HEAD", box / "wt").substr(0, 40);
  }
  // `git ls-remote` of the bare repository's tags, as the remote holds them.
  std::string remoteTags() const { return testing::sh("git ls-remote --tags origin", box / "wt"); }
};

// An edition tag message with the trailers charta writes.
inline std::string editionTrailers(int n, const std::string& effective,
                                   const std::string& published = "") {
  std::string m = "-m 'Publish personal-data v" + std::to_string(n) +
                  "' -m 'Effective-From: " + effective +
                  (published.empty() ? "" : "\nPublished-At: " + published) + "\nMaterial: no'";
  return m;
}

// Waits for "pred" to hold, polling every 20 ms, up to "timeout"; returns whether it held.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// How many times "needle" occurs in "text".
inline size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace charta::recordtest
