// Helpers of the fault-injection tests: the consent tests' shop (a sandbox with a policy
// repository, tokens and the real `charta serve`), plus programs that can be killed mid-way,
// checks of the policy repository with the git CLI, and waiting for a condition.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consent/consent_support.h"

namespace charta::fault_testing {

using namespace charta::consent_testing;

// A program started in the background with its output in a file; kill() or wait() reaps it.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
        const std::filesystem::path& outFile) {
    std::vector<std::string> env = testing::gitEnv();
    testing::writeFile(outFile, "");  // exists even when the child is killed before it writes
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (chdir(cwd.c_str()) != 0) _exit(126);
      int in = open("/dev/null", O_RDONLY);
      int out = open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      for (auto& e : env) putenv(e.data());
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) kill(SIGKILL);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Exit code, or 128 + signal.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  int kill(int signal) {
    ::kill(pid_, signal);
    return wait();
  }

 private:
  pid_t pid_ = -1;
};

// Runs "sh -c script" in "cwd" and returns its stdout, whatever its exit code.
inline testing::RunResult shell(const std::string& script, const std::filesystem::path& cwd) {
  return testing::run({"sh", "-c", script}, cwd, testing::gitEnv());
}

// The lines of "text".
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

// Checks with the git CLI that every tag under refs/tags/<doc>/v* of the bare repository "git"
// is a complete annotated edition (a tag object naming itself, tagger, Effective-From trailer,
// pointing at a commit), and that `git fsck --strict` finds nothing wrong. Returns the edition
// numbers found.
inline std::set<int> checkEditionTags(const std::filesystem::path& git, const std::string& doc) {
  auto refs = shell(
      "git --git-dir=. for-each-ref --format='%(objecttype) %(refname:short)' "
      "'refs/tags/" +
          doc + "/'",
      git);
  REQUIRE(refs.status == 0);
  std::set<int> numbers;
  for (const auto& line : lines(refs.out)) {
    CAPTURE(line);
    auto space = line.find(' ');
    std::string type = line.substr(0, space);
    std::string name = line.substr(space + 1);
    if (name.find("/withdrawn/") != std::string::npos) continue;
    CHECK(type == "tag");
    auto tag = shell("git --git-dir=. cat-file tag " + name, git);
    REQUIRE(tag.status == 0);
    CHECK(tag.out.find("\ntag " + name + "\n") != std::string::npos);
    CHECK(tag.out.find("type commit\n") == 48);  // after "object <40 hex>\n"
    CHECK(tag.out.find("\ntagger ") != std::string::npos);
    CHECK(tag.out.find("\nEffective-From: ") != std::string::npos);
    auto v = name.rfind("/v");
    REQUIRE(v != std::string::npos);
    numbers.insert(std::stoi(name.substr(v + 2)));
  }
  auto fsck = shell("git --git-dir=. fsck --strict --no-dangling 2>&1", git);
  INFO("git fsck --strict: " << fsck.out);
  CHECK(fsck.status == 0);
  return numbers;
}

// The files named *.lock anywhere in "git".
inline std::vector<std::string> lockFiles(const std::filesystem::path& git) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(git)) {
    if (e.path().extension() == ".lock") out.push_back(e.path().string());
  }
  return out;
}

// Sets the modification time of "p" to "age" ago.
inline void makeOld(const std::filesystem::path& p, std::chrono::seconds age) {
  auto t = std::filesystem::last_write_time(p);
  std::filesystem::last_write_time(p, t - age);
}

}  // namespace charta::fault_testing
