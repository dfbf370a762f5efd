#include "support/pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace charta::testing {
namespace fs = std::filesystem;
namespace {

struct RunAs {
  bool drop = false;  // switch to uid/gid before exec (we are root)
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs runAsPostgres() {
  RunAs r;
  if (geteuid() != 0) return r;
  const passwd* pw = getpwnam("postgres");
  if (!pw) {
    throw std::runtime_error(
        "starting PostgreSQL as root needs the system user \"postgres\" (initdb refuses root)");
  }
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

bool isExecutable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

// Where initdb and postgres live; empty when nowhere.
std::string findBinDir() {
  if (const char* env = std::getenv("CHARTA_PG_BINDIR"); env && *env) {
    return isExecutable(fs::path(env) / "postgres") ? env : "";
  }
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (isExecutable(bin / "postgres") && isExecutable(bin / "initdb")) {
      found.emplace_back(std::atoi(entry.path().filename().c_str()), bin);
    }
  }
  if (!found.empty()) {
    std::sort(found.begin(), found.end());
    return found.back().second.string();
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty() && isExecutable(fs::path(dir) / "postgres") &&
          isExecutable(fs::path(dir) / "initdb")) {
        return dir;
      }
    }
  }
  return "";
}

// Starts "argv" as a child with stdout/stderr appended to "logPath" (or kept when empty).
// Everything the child does between fork and exec is async-signal-safe.
pid_t spawn(const std::vector<std::string>& argv, const RunAs& as, const std::string& logPath,
            const std::string& cwd, bool dieWithParent) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (as.drop) {
      if (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(126);
    }
    // Set after setuid: a credential change clears the parent-death signal.
    if (dieWithParent) {
      prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (getppid() != parent) _exit(125);
    }
    if (!logPath.empty()) {
      int fd = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) _exit(124);
      dup2(fd, 1);
      dup2(fd, 2);
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(123);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("picking a free port: " + std::string(std::strerror(errno)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::mutex gSharedMutex;
std::unique_ptr<PgServer> gShared;
bool gSharedTried = false;

}  // namespace

bool PgServer::skipRequested() {
  const char* env = std::getenv("CHARTA_SKIP_PG");
  return env && std::string_view(env) == "1";
}

PgServer* PgServer::shared() {
  std::lock_guard lock(gSharedMutex);
  if (!gSharedTried) {
    gSharedTried = true;
    if (skipRequested() && findBinDir().empty()) return nullptr;
    gShared = std::make_unique<PgServer>();
  }
  if (!gShared) throw std::runtime_error("the shared PostgreSQL server failed to start earlier");
  return gShared.get();
}

PgServer::PgServer() : PgServer(Options{}) {}

PgServer::PgServer(Options options) {
  binDir_ = findBinDir();
  if (binDir_.empty()) {
    throw std::runtime_error(
        "PostgreSQL server binaries (initdb, postgres) not found in $CHARTA_PG_BINDIR, "
        "/usr/lib/postgresql/*/bin or $PATH; install them or set CHARTA_SKIP_PG=1");
  }
  try {
    start(options);
  } catch (...) {
    stop();
    throw;
  }
}

PgServer::~PgServer() { stop(); }

void PgServer::start(const Options& options) {
  options_ = options;
  RunAs as = runAsPostgres();
  char tmpl[] = "/tmp/charta-pg-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  root_ = tmpl;
  if (as.drop && chown(root_.c_str(), as.uid, as.gid) != 0) {
    throw std::runtime_error("chown " + root_ + ": " + std::strerror(errno));
  }
  dataDir_ = root_ + "/data";

  pid_t init = spawn({binDir_ + "/initdb", "-D", dataDir_, "-U", "charta", "-A", "trust", "-E",
                      "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                     as, root_ + "/initdb.log", root_, false);
  if (waitExit(init) != 0) {
    throw std::runtime_error("initdb failed: " + readFile(root_ + "/initdb.log"));
  }

  // A free port may be taken between our probe and the bind of postgres: retry a few times.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = freePort();
    if (!launch()) continue;  // most likely the port; the log says
    createDatabase("charta");
    --nextDb_;  // the default database keeps its plain name
    return;
  }
  throw std::runtime_error("postgres did not start: " + logTail());
}

bool PgServer::launch() {
  RunAs as = runAsPostgres();
  pid_ = spawn(
      {binDir_ + "/postgres", "-D", dataDir_, "-p", std::to_string(port_), "-k", root_, "-c",
       "listen_addresses=127.0.0.1", "-c", std::string("fsync=") + (options_.fsync ? "on" : "off"),
       "-c", "max_connections=" + std::to_string(options_.maxConnections), "-c",
       "shared_buffers=64MB"},
      as, root_ + "/postgres.log", root_, true);
  std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port_) + " user=charta dbname=postgres";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("PostgreSQL did not accept connections within 30 s: " + logTail());
}

void PgServer::restart() {
  crash();
  recover();
}

void PgServer::crash() { stopServer(); }

void PgServer::recover() {
  // The port was ours a moment ago; a client may hold it briefly in a connect attempt only.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (launch()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("PostgreSQL did not come back on port " + std::to_string(port_) + ": " +
                           logTail());
}

void PgServer::stop() noexcept {
  stopServer();
  if (!root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    root_.clear();
  }
}

void PgServer::stopServer() noexcept {
  if (pid_ > 0) {
    // Immediate shutdown: the data is about to be deleted, so skip the shutdown checkpoint (which
    // flushes every database the tests created and took tens of seconds on a busy disk).
    kill(pid_, SIGQUIT);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int status = 0;
    bool done = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        done = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!done) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
}

std::string PgServer::logTail() const {
  std::string log = readFile(root_ + "/postgres.log");
  if (log.size() > 2000) log = log.substr(log.size() - 2000);
  return log;
}

std::string PgServer::uriOf(std::string_view db) const {
  return "postgresql://charta@127.0.0.1:" + std::to_string(port_) + "/" + std::string(db);
}

std::string PgServer::createDatabase(std::string_view name) {
  if (name.empty() || name.size() > 50 || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    throw std::runtime_error("bad test database name: " + std::string(name));
  }
  std::string db;
  {
    static std::mutex m;
    std::lock_guard lock(m);
    db = std::string(name) + (nextDb_ == 0 ? "" : "_" + std::to_string(nextDb_));
    ++nextDb_;
  }
  std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port_) + " user=charta dbname=postgres";
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("connecting to the test server: " +
                             std::string(PQerrorMessage(conn.get())));
  }
  std::string sql = "CREATE DATABASE " + db;
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error("creating test database " + db + ": " +
                             PQresultErrorMessage(res.get()));
  }
  return uriOf(db);
}

std::string PgServer::psql(std::string_view db, std::string_view sql) const {
  std::string bin = binDir_ + "/psql";
  if (!isExecutable(bin)) bin = "psql";
  ProgramResult r = runProgram(
      {bin, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", uriOf(db), "-f", "-"}, sql);
  if (r.exitCode != 0) {
    throw std::runtime_error("psql failed (" + std::to_string(r.exitCode) + "): " + r.output);
  }
  return r.output;
}

ProgramResult runProgram(const std::vector<std::string>& argv, std::string_view input) {
  if (argv.empty()) throw std::runtime_error("runProgram: no program");
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  // Feed stdin and drain stdout together, so neither side can block the other.
  ProgramResult result;
  size_t written = 0;
  int inFd = in[1];
  if (input.empty()) {
    close(inFd);
    inFd = -1;
  } else {
    fcntl(inFd, F_SETFL, O_NONBLOCK);
  }
  signal(SIGPIPE, SIG_IGN);
  char buf[65536];
  bool open = true;
  while (open) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {inFd, POLLOUT, 0}};
    int n = poll(fds, inFd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (inFd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(inFd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) written = input.size();
      if (written >= input.size()) {
        close(inFd);
        inFd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(out[0], buf, sizeof buf);
      if (r > 0) {
        result.output.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        open = false;
      }
    }
  }
  if (inFd >= 0) close(inFd);
  close(out[0]);
  result.exitCode = waitExit(pid);
  return result;
}

}  // namespace charta::testing
