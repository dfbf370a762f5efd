#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/sandbox.h"

namespace charta::testing {

// A sandbox with an initialised repository (v1 published) and a clone for the legal team.
struct Site {
  Sandbox box;
  Site() {
    auto r = run({chartaBinary(), "init"}, box.path(), gitEnv());
    REQUIRE_MESSAGE(r.status == 0, r.err);
    sh("git clone -q var/policies.git wt", box.path());
  }
  // Commits an edit with the git CLI and pushes it; then publishes with the CLI.
  void publishEdit(const std::string& line, const std::vector<std::string>& publishArgs = {}) {
    sh("printf '\\n%s\\n' '" + line +
           "' >> personal-data/ru.md && git commit -qam edit && git push -q origin main",
       box / "wt");
    std::vector<std::string> args = {chartaBinary(), "publish", "personal-data"};
    args.insert(args.end(), publishArgs.begin(), publishArgs.end());
    auto r = run(args, box.path(), gitEnv());
    REQUIRE_MESSAGE(r.status == 0, r.err);
  }
};

}  // namespace charta::testing
