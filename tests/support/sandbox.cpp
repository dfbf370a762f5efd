#include "support/sandbox.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

extern char** environ;

namespace charta::testing {

Sandbox::Sandbox() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto p = base / ("charta-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a sandbox directory");
}

Sandbox::~Sandbox() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

RunResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
              const std::vector<std::string>& env) {
  const std::vector<std::string> sanitized =
      sanitizerEnv();  // made before fork: no allocation after
  int outPipe[2], errPipe[2];
  if (pipe(outPipe) != 0 || pipe(errPipe) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(outPipe[1], 1);
    dup2(errPipe[1], 2);
    close(outPipe[0]);
    close(errPipe[0]);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    for (const auto& e : sanitized) putenv(const_cast<char*>(e.c_str()));
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(outPipe[1]);
  close(errPipe[1]);
  RunResult r;
  pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[k].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open;
      } else {
        (k == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::filesystem::path reportsDir() {
  std::filesystem::path dir = CHARTA_REPORTS_DIR;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir;
}

std::vector<std::string> sanitizerEnv() {
#ifdef CHARTA_SANITIZE
  auto with = [](const char* name, const std::string& logPath) {
    const char* set = std::getenv(name);
    std::string options = set ? set : "";
    return std::string(name) + "=" + options + (options.empty() ? "" : ":") + "log_path=" + logPath;
  };
  const std::string dir = reportsDir().string();
  return {with("ASAN_OPTIONS", dir + "/asan"), with("UBSAN_OPTIONS", dir + "/ubsan")};
#else
  return {};
#endif
}

std::string sh(const std::string& script, const std::filesystem::path& cwd) {
  RunResult r = run({"sh", "-c", script}, cwd, gitEnv());
  INFO("script: " << script << "\nstderr: " << r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

std::string chartaBinary() { return CHARTA_BINARY; }
std::filesystem::path sourceDir() { return CHARTA_SOURCE_DIR; }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::filesystem::path& p, const std::string& content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::vector<std::string> gitEnv() {
  return {"GIT_AUTHOR_NAME=Legal Team",
          "GIT_AUTHOR_EMAIL=legal@shop.test",
          "GIT_COMMITTER_NAME=Legal Team",
          "GIT_COMMITTER_EMAIL=legal@shop.test",
          "GIT_CONFIG_NOSYSTEM=1",
          "GIT_CONFIG_GLOBAL=/dev/null",
          "HOME=/nonexistent"};
}

}  // namespace charta::testing
