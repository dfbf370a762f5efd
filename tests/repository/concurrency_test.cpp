#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "repository/policy_repository.h"
#include "support/sandbox.h"

using namespace charta;
using testing::Sandbox;
using testing::sh;

TEST_CASE("8 processes publish the same document at once: one edition per number, no gaps") {
  Sandbox box;
  const std::string charta = testing::chartaBinary();
  auto r = testing::run({charta, "--repo", (box / "repo.git").string(), "init", "--no-publish"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  sh("git clone -q repo.git wt", box.path());
  // Eight drafts, each a different text.
  std::vector<std::string> commits;
  for (int i = 0; i < 8; ++i) {
    commits.push_back(sh("printf '\\n10.%d. Пункт.\\n' " + std::to_string(i + 1) +
                             " >> personal-data/ru.md && git commit -qam 'Draft " +
                             std::to_string(i) + "' && git rev-parse HEAD | tr -d '\\n'",
                         box / "wt"));
  }
  sh("git push -q origin main", box / "wt");

  // Each process retries only on a conflict (exit 3), as a careful script would. All eight start
  // at the same moment: each says it is ready, then waits for a shared lock on "gate", which the
  // test holds exclusively until every one is ready. They race for the same number, and the
  // compare-and-swap of the tag turns the losers away.
  const int gate = open((box / "gate").c_str(), O_CREAT | O_RDWR, 0644);
  REQUIRE(gate >= 0);
  REQUIRE(flock(gate, LOCK_EX) == 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 8; ++i) {
    std::string script = "touch ready" + std::to_string(i) + "; flock -s gate true; n=0; until '" +
                         charta + "' --repo repo.git publish personal-data --revision " +
                         commits[i] + " --force 'imported as received' --json > out" +
                         std::to_string(i) + ".json 2>>err" + std::to_string(i) +
                         "; do rc=$?; [ $rc -eq 3 ] || exit $rc; n=$((n+1)); done; echo $n > "
                         "conflicts" +
                         std::to_string(i);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(gate);  // the lock stays the test's
      if (chdir(box.path().c_str()) != 0) _exit(126);
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    pids.push_back(pid);
  }
  auto allReady = [&] {
    for (int i = 0; i < 8; ++i) {
      if (!std::filesystem::exists(box / ("ready" + std::to_string(i)))) return false;
    }
    return true;
  };
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !allReady() && std::chrono::steady_clock::now() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(allReady());
  flock(gate, LOCK_UN);
  close(gate);
  int conflicts = 0;
  for (int i = 0; i < 8; ++i) {
    int status = 0;
    waitpid(pids[i], &status, 0);
    INFO("process " << i << ": " << testing::slurp(box / ("err" + std::to_string(i))));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    conflicts += std::stoi(testing::slurp(box / ("conflicts" + std::to_string(i))));
  }
  MESSAGE("conflicts seen and retried: " << conflicts);
  // The race happened: publishers lost the compare-and-swap, were told so (exit 3) and retried.
  CHECK(conflicts > 0);

  auto repo = repository::PolicyRepository::open(box / "repo.git");
  core::Timeline tl = repo->timeline(*core::DocumentId::parse("personal-data"));
  REQUIRE(tl.editions().size() == 8);
  std::set<std::string> published;
  for (int n = 1; n <= 8; ++n) {
    const core::Edition* e = tl.edition(*core::EditionNo::of(n));
    REQUIRE(e);  // no gap
    published.insert(e->commit.str());
  }
  CHECK(published == std::set<std::string>(commits.begin(), commits.end()));  // no lost tag
  CHECK(sh("git tag -l | wc -l | tr -d ' \\n'", box / "repo.git") == "8");
  sh("git fsck --strict --no-dangling", box / "repo.git");
}
