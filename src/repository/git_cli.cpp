#include "repository/git_cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace charta::repository::cli {

namespace {

// A file descriptor with an owner.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::pair<Fd, Fd> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw RepositoryError(std::string("creating a pipe for git: ") +
                          std::generic_category().message(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

// Starts `git <args>` with "in" as stdin and "out" as stdout (the child's ends), stderr to
// /dev/null. Returns its pid.
pid_t spawnGit(const std::vector<std::string>& args, int in, int out) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw RepositoryError(std::string("starting git: ") + std::generic_category().message(rc));
  return pid;
}

int waitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

GitResult runGit(const std::vector<std::string>& args) {
  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (devnull.get() < 0)
    throw RepositoryError(std::string("opening /dev/null: ") +
                          std::generic_category().message(errno));
  auto [readEnd, writeEnd] = makePipe();
  pid_t pid = spawnGit(args, devnull.get(), writeEnd.get());
  writeEnd.reset();
  GitResult result;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(readEnd.get(), buf, sizeof buf);
    if (n > 0) {
      result.out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  result.status = waitFor(pid);
  return result;
}

CatFile::CatFile() {
  auto [childIn, toChild] = makePipe();
  auto [fromChild, childOut] = makePipe();
  pid_ = spawnGit({"cat-file", "--batch"}, childIn.get(), childOut.get());
  in_ = toChild.release();
  out_ = fromChild.release();
}

CatFile::~CatFile() {
  if (in_ >= 0) ::close(in_);  // git ends at the end of its input
  if (out_ >= 0) ::close(out_);
  if (pid_ > 0) waitFor(pid_);
}

void CatFile::fill() {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(out_, buf, sizeof buf);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      return;
    }
    if (n == 0) throw RepositoryError("git cat-file ended before answering");
    if (errno != EINTR) {
      throw RepositoryError(std::string("reading from git cat-file: ") +
                            std::generic_category().message(errno));
    }
  }
}

std::string CatFile::line() {
  size_t nl;
  while ((nl = buffer_.find('\n')) == std::string::npos) fill();
  std::string out = buffer_.substr(0, nl);
  buffer_.erase(0, nl + 1);
  return out;
}

std::string CatFile::bytes(size_t n) {
  while (buffer_.size() < n) fill();
  std::string out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return out;
}

std::optional<tags::RawObject> CatFile::read(const std::string& spec) {
  if (spec.find_first_of("\n ") != std::string::npos) {
    throw RepositoryError("not an object name: " + spec);
  }
  const std::string request = spec + "\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::write(in_, request.data() + sent, request.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw RepositoryError(std::string("writing to git cat-file: ") +
                            std::generic_category().message(errno));
    sent += static_cast<size_t>(n);
  }
  // "<id> <type> <size>", or "<spec> missing" (also "ambiguous").
  const std::string header = line();
  if (header == spec + " missing" || header == spec + " ambiguous") return std::nullopt;
  size_t s1 = header.find(' '), s2 = header.rfind(' ');
  if (s1 == std::string::npos || s2 == s1) {
    throw RepositoryError("git cat-file answered \"" + header + "\" for " + spec);
  }
  size_t size = std::stoul(header.substr(s2 + 1));
  tags::RawObject object{header.substr(s1 + 1, s2 - s1 - 1), bytes(size)};
  bytes(1);  // the newline after the content
  return object;
}

std::vector<tags::TagRef> CliTagReader::tagRefs(const core::DocumentId& doc) {
  GitResult r = runGit({"for-each-ref", "--format=%(refname)%09%(objectname)%09%(symref)",
                        "refs/tags/" + doc.str()});
  if (r.status != 0) {
    throw RepositoryError("git for-each-ref failed with status " + std::to_string(r.status));
  }
  std::vector<tags::TagRef> out;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t nl = r.out.find('\n', pos);
    if (nl == std::string::npos) nl = r.out.size();
    std::string ln = r.out.substr(pos, nl - pos);
    pos = nl + 1;
    size_t t1 = ln.find('\t'), t2 = ln.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos || ln.rfind("refs/tags/", 0) != 0) {
      continue;
    }
    out.push_back({ln.substr(10, t1 - 10), ln.substr(t1 + 1, t2 - t1 - 1), t2 + 1 < ln.size()});
  }
  return out;
}

CatFile& CliTagReader::catFile() {
  if (!catFile_) catFile_ = std::make_unique<CatFile>();
  return *catFile_;
}

tags::RawObject CliTagReader::object(const std::string& id) {
  auto o = catFile().read(id);
  if (!o) throw RepositoryError("object " + id + ", which a ref names, cannot be read");
  return std::move(*o);
}

std::optional<std::string> CliTagReader::registryAt(const std::string& id) {
  auto commit = catFile().read(id);
  if (!commit || commit->type != "commit") {
    throw RepositoryError("commit " + id + ", which a tag names, cannot be read");
  }
  auto file = catFile().read(id + ":" + kRegistryFile);
  if (!file || file->type != "blob") return std::nullopt;
  return std::move(file->bytes);
}

}  // namespace charta::repository::cli
