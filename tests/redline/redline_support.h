#pragma once

#include <doctest/doctest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>
#include <vector>

#include "support/sandbox.h"

namespace charta::redlinetest {

// Replaces the one occurrence of "from" in "text"; fails the test when there is none.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto p = text.find(from);
  REQUIRE_MESSAGE(p != std::string::npos, "not in the text: " << from);
  CHECK_MESSAGE(text.find(from, p + 1) == std::string::npos, "twice in the text: " << from);
  return text.replace(p, from.size(), to);
}

inline Poco::JSON::Object::Ptr object(const std::string& body) {
  INFO("body: " << body);
  Poco::Dynamic::Var v;
  REQUIRE_NOTHROW(v = Poco::JSON::Parser().parse(body));
  REQUIRE(v.type() == typeid(Poco::JSON::Object::Ptr));
  return v.extract<Poco::JSON::Object::Ptr>();
}

// A sandbox with `charta init` done (the seed's v1 published) and a clone "wt" in which the legal
// team edits, commits and pushes with the git CLI.
struct PolicySite {
  testing::Sandbox box;
  std::string seed;  // personal-data/ru.md as imported

  PolicySite() {
    auto r = charta({"init"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    testing::sh("git clone -q var/policies.git wt", box.path());
    seed = text();
  }
  testing::RunResult charta(std::vector<std::string> args) const {
    args.insert(args.begin(), testing::chartaBinary());
    return testing::run(args, box.path(), testing::gitEnv());
  }
  std::string text(const std::string& file = "personal-data/ru.md") const {
    return testing::slurp(box / "wt" / file);
  }
  // Writes "content" to "file" in the clone, commits and pushes; returns the commit id.
  std::string commit(const std::string& content, const std::string& file = "personal-data/ru.md",
                     const std::string& message = "edit") {
    testing::writeFile(box / "wt" / file, content);
    testing::sh("git add -A && git commit -qm '" + message + "' && git push -q origin main",
                box / "wt");
    return testing::sh("git rev-parse HEAD | tr -d '\\n'", box / "wt");
  }
  std::string tags() const {
    return testing::sh("git --git-dir=var/policies.git tag -l", box.path());
  }
  std::string tagMessage(const std::string& tag) const {
    return testing::sh("git --git-dir=var/policies.git tag -l --format='%(contents)' " + tag,
                       box.path());
  }
};

}  // namespace charta::redlinetest
