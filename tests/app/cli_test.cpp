#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <thread>

#include "core/time.h"
#include "support/sandbox.h"

using namespace charta;
using testing::RunResult;
using testing::Sandbox;

namespace {

// Runs the real charta binary in "box" with the repository at box/var/policies.git.
RunResult runCharta(const Sandbox& box, std::vector<std::string> args) {
  args.insert(args.begin(), testing::chartaBinary());
  return testing::run(args, box.path(), testing::gitEnv());
}

Poco::JSON::Object::Ptr json(const RunResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.status == 0);
  return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
}

// An error is one line on stderr, nothing on stdout, and a non-zero exit.
void checkError(const RunResult& r, int status, const std::string& part) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == status);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("charta: ", 0) == 0);
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK(r.err.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("init creates the repository, publishes v1, and in-force reports it") {
  Sandbox box;
  auto init = json(runCharta(box, {"init", "--json"}));
  CHECK(init->getValue<bool>("created"));
  CHECK(std::filesystem::exists(box / "var/policies.git/HEAD"));
  auto v1 = json(runCharta(box, {"in-force", "personal-data", "--json"}));
  CHECK(v1->getValue<std::string>("edition") == "v1");
  CHECK(v1->getValue<std::string>("status") == "in_force");
  std::string commit = v1->getValue<std::string>("commit");
  CHECK(commit.size() == 40);
  CHECK(commit ==
        testing::sh("git --git-dir=var/policies.git rev-parse main | tr -d '\\n'", box.path()));
  CHECK(core::parseRfc3339(v1->getValue<std::string>("effective_from")));
  CHECK(v1->getValue<std::string>("effective_from") == v1->getValue<std::string>("published_at"));
  // A second init changes nothing.
  auto again = json(runCharta(box, {"init", "--json"}));
  CHECK_FALSE(again->getValue<bool>("created"));
  CHECK(again->getArray("published")->size() == 0);
}

TEST_CASE("a scheduled v2 is upcoming before its moment and in force after it") {
  Sandbox box;
  REQUIRE(runCharta(box, {"init"}).status == 0);
  testing::sh(
      "git clone -q var/policies.git wt && cd wt && printf '\\n10.1. Новый пункт.\\n' >> "
      "personal-data/ru.md && git commit -qam 'Add 10.1' && git push -q origin main",
      box.path());
  const core::Instant when = core::now() + std::chrono::milliseconds(2500);
  const std::string whenText = core::formatRfc3339(when, core::kKazakhstanOffset, false);
  auto v2 = json(runCharta(box, {"publish", "personal-data", "--effective-from", whenText,
                                 "--summary", "Новый пункт 10.1", "--json"}));
  CHECK(v2->getValue<std::string>("edition") == "v2");
  CHECK(v2->getValue<std::string>("status") == "upcoming");
  CHECK(v2->getValue<std::string>("effective_from") == whenText);

  auto before = json(runCharta(box, {"in-force", "personal-data", "--json"}));
  CHECK(before->getValue<std::string>("edition") == "v1");
  CHECK(before->getArray("upcoming")->getObject(0)->getValue<std::string>("edition") == "v2");
  CHECK(before->getValue<std::string>("next_switch") == whenText);

  // Asking about the moment itself and the millisecond before it needs no waiting.
  auto at = json(runCharta(box, {"in-force", "personal-data", "--at", whenText, "--json"}));
  CHECK(at->getValue<std::string>("edition") == "v2");
  auto justBefore =
      json(runCharta(box, {"in-force", "personal-data", "--at",
                           core::formatRfc3339(when - std::chrono::milliseconds(1)), "--json"}));
  CHECK(justBefore->getValue<std::string>("edition") == "v1");

  std::this_thread::sleep_until(std::chrono::system_clock::time_point(when) +
                                std::chrono::milliseconds(100));
  auto after = json(runCharta(box, {"in-force", "personal-data", "--json"}));
  CHECK(after->getValue<std::string>("edition") == "v2");
  CHECK(after->getValue<std::string>("status") == "in_force");

  auto show = json(runCharta(box, {"show", "personal-data@v2", "--json"}));
  CHECK(show->getValue<std::string>("text").find("10.1. Новый пункт.") != std::string::npos);
  CHECK(show->getValue<std::string>("text_sha256").size() == 64);
  auto log = runCharta(box, {"log", "personal-data"});
  CHECK(log.out.find("Add 10.1  [v2]") != std::string::npos);
  // --json prints the revisions as the API sends them.
  auto logJson = runCharta(box, {"--json", "log", "personal-data"});
  REQUIRE(logJson.status == 0);
  auto revisions = Poco::JSON::Parser().parse(logJson.out).extract<Poco::JSON::Array::Ptr>();
  REQUIRE(revisions->size() >= 2);
  auto newest = revisions->getObject(0);
  CHECK(newest->getValue<std::string>("subject") == "Add 10.1");
  CHECK_FALSE(newest->getValue<bool>("draft"));
  CHECK(newest->getArray("editions")->getElement<std::string>(0) == "v2");
}

TEST_CASE("errors: one line, a non-zero exit, nothing written") {
  Sandbox box;
  REQUIRE(runCharta(box, {"init"}).status == 0);
  testing::sh(
      "git clone -q var/policies.git wt && cd wt && printf '\\n10.1. Пункт.\\n' >> "
      "personal-data/ru.md && git commit -qam edit && git push -q origin main",
      box.path());
  const std::string tags = testing::sh("git --git-dir=var/policies.git tag -l", box.path());

  checkError(
      runCharta(box, {"publish", "personal-data", "--effective-from", "2020-01-01T00:00:00+05:00"}),
      2, "before the moment of publication");
  checkError(
      runCharta(box, {"publish", "personal-data", "--effective-from", "2030-01-01T00:00:00"}), 2,
      "with an offset");
  checkError(runCharta(box, {"publish", "personal-data", "--revision", "HEAD~1"}), 2, "40-hex");
  checkError(runCharta(box, {"publish", "personal-data", "--bogus"}), 2, "unknown option --bogus");
  checkError(runCharta(box, {"publish", "no-such-doc"}), 2, "declares no document");
  checkError(runCharta(box, {"in-force", "personal-data", "--at", "yesterday"}), 2, "RFC 3339");
  checkError(runCharta(box, {"in-force", "personal-data", "--at", "2000-01-01T00:00:00Z"}), 4,
             "no edition of personal-data is in force");
  checkError(runCharta(box, {"withdraw", "personal-data", "v1", "--reason", "x"}), 2,
             "cannot be withdrawn");
  checkError(runCharta(box, {"withdraw", "personal-data", "v1"}), 2, "--reason is required");
  checkError(runCharta(box, {"show", "personal-data@main^{tree}"}), 2, "neither v<N> nor");
  checkError(runCharta(box, {"show", "personal-data@v9"}), 4, "no edition v9");
  checkError(runCharta(box, {"frobnicate"}), 2, "unknown command");
  checkError(runCharta(box, {"--repo", "nowhere", "editions", "personal-data"}), 1,
             "no policy repository at nowhere");
  CHECK(testing::sh("git --git-dir=var/policies.git tag -l", box.path()) == tags);

  auto help = runCharta(box, {"publish", "--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("--effective-from") != std::string::npos);
}

TEST_CASE("configuration: file, environment and -D, highest last") {
  Sandbox box;
  testing::writeFile(box / "charta.ini", "[repository]\npath = from-file.git\n");
  REQUIRE(runCharta(box, {"init", "--no-publish"}).status == 0);
  CHECK(std::filesystem::exists(box / "from-file.git/HEAD"));
  auto r = testing::run({testing::chartaBinary(), "init", "--no-publish"}, box.path(),
                        {"CHARTA_REPOSITORY_PATH=from-env.git"});
  CHECK(r.status == 0);
  CHECK(std::filesystem::exists(box / "from-env.git/HEAD"));
  r = testing::run(
      {testing::chartaBinary(), "-D", "repository.path=from-d.git", "init", "--no-publish"},
      box.path(), {"CHARTA_REPOSITORY_PATH=from-env.git"});
  CHECK(r.status == 0);
  CHECK(std::filesystem::exists(box / "from-d.git/HEAD"));
  checkError(runCharta(box, {"--config", "missing.ini", "editions", "personal-data"}), 2,
             "does not exist");
}
