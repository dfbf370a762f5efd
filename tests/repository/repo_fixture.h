#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "repository/policy_repository.h"
#include "support/sandbox.h"

namespace charta::testing {

inline const core::DocumentId kDoc = *core::DocumentId::parse("personal-data");
inline const core::Person kLegal{"Legal Team", "legal@shop.test"};

inline core::Instant at(const char* t) { return *core::parseRfc3339(t); }

// A policy repository with a work tree, made from policies/, edited with the git CLI.
struct RepoFixture {
  Sandbox box;
  std::filesystem::path dir = box / "policies";
  std::unique_ptr<repository::PolicyRepository> repo =
      repository::PolicyRepository::create(dir, sourceDir() / "policies", false, kLegal);

  // Appends "line" to the Russian text and commits it with the git CLI; returns the commit.
  core::CommitId commitEdit(const std::string& line, const std::string& message = "Edit") {
    sh("printf '\\n%s\\n' '" + line + "' >> personal-data/ru.md && git commit -qam '" + message +
           "' && git rev-parse HEAD",
       dir);
    return repo->head();
  }
  // `git tag -l`, one name per entry.
  std::vector<std::string> tags() {
    std::string out = sh("git tag -l", dir);
    std::vector<std::string> v;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t e = out.find('\n', pos);
      v.push_back(out.substr(pos, e - pos));
      pos = e + 1;
    }
    return v;
  }
};

}  // namespace charta::testing
