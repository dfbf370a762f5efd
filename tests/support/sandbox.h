#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace charta::testing {

// A fresh temporary directory, removed with everything in it when the sandbox goes away.
class Sandbox {
 public:
  Sandbox();
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The result of running a program to completion.
struct RunResult {
  int status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs "argv" (argv[0] looked up in PATH) in "cwd" with extra "env" entries ("KEY=value"),
// feeding nothing on stdin, and waits for it.
RunResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
              const std::vector<std::string>& env = {});

// Runs "sh -c script" in "cwd"; fails the current test when it exits non-zero.
std::string sh(const std::string& script, const std::filesystem::path& cwd = {});

// The charta binary under test, and the source tree.
std::string chartaBinary();
std::filesystem::path sourceDir();

// Reads a whole file.
std::string slurp(const std::filesystem::path& p);
void writeFile(const std::filesystem::path& p, const std::string& content);

// Environment for git CLI commands in tests: fixed identity, no user or system config.
std::vector<std::string> gitEnv();

// Where the processes the tests start leave what went wrong in them (the build's
// server-reports/): AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer reports of
// the asan build ("asan.<pid>", "ubsan.<pid>"), and a `charta serve` that did not exit 0 on
// SIGTERM ("exit.<pid>"). The test server_reports_check fails if there is any.
std::filesystem::path reportsDir();

// ASAN_OPTIONS and UBSAN_OPTIONS ("KEY=value") that add log_path in reportsDir() to the
// options already set; empty unless charta is built with the sanitizers.
std::vector<std::string> sanitizerEnv();

}  // namespace charta::testing
