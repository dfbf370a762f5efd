#include "support/server_process.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

#include "support/sandbox.h"

namespace charta::testing {

ServerProcess::ServerProcess(const std::filesystem::path& workdir,
                             const std::vector<std::string>& defs)
    : dir_(workdir) {
  static int counter = 0;
  tag_ = std::to_string(getpid()) + "-" + std::to_string(++counter);
  auto portFile = dir_ / ("port-" + tag_);
  std::filesystem::remove(portFile);
  std::vector<std::string> args = {chartaBinary(),
                                   "-D",
                                   "server.port=0",
                                   "-D",
                                   "server.port_file=" + portFile.string(),
                                   "-D",
                                   "repository.poll_ms=100"};
  for (const auto& d : defs) {
    args.push_back("-D");
    args.push_back(d);
  }
  args.push_back("serve");
  std::string outPath = (dir_ / ("serve-" + tag_ + ".out")).string();
  std::string errPath = (dir_ / ("serve-" + tag_ + ".err")).string();
  std::vector<std::string> env = sanitizerEnv();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (chdir(dir_.c_str()) != 0) _exit(126);
    int in = open("/dev/null", O_RDONLY);
    int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (auto& e : env) putenv(e.data());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(portFile)) {
      port_ = static_cast<uint16_t>(std::stoi(slurp(portFile)));
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("charta serve exited at start: " + err());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(SIGKILL);
  throw std::runtime_error("charta serve did not start in 20 s: " + err());
}

ServerProcess::~ServerProcess() {
  if (pid_ <= 0) return;
  // A server that a test leaves running must stop cleanly on SIGTERM: exit 0 within the 10 s it
  // gives requests in flight (and the sanitizers' exit checks). Anything else is written to the
  // reports folder, since a destructor cannot fail the test that owns it.
  const pid_t pid = pid_;
  ::kill(pid, SIGTERM);
  int status = 0;
  bool exited = false;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < end;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  pid_ = -1;
  if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  try {
    std::string what =
        !exited ? "did not exit within 60 s of SIGTERM"
        : WIFEXITED(status)
            ? "exited with status " + std::to_string(WEXITSTATUS(status)) + " on SIGTERM"
            : "was killed by signal " + std::to_string(WTERMSIG(status)) + " after SIGTERM";
    std::string log = err();
    if (log.size() > 8192) log = "...\n" + log.substr(log.size() - 8192);
    writeFile(reportsDir() / ("exit." + std::to_string(pid)),
              "charta serve (pid " + std::to_string(pid) + ", in " + dir_.string() + ") " + what +
                  "; its stderr:\n" + log);
  } catch (const std::exception&) {
  }
}

std::string ServerProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int ServerProcess::kill(int signal, bool wait) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  if (!wait) return 0;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string ServerProcess::out() const { return slurp(dir_ / ("serve-" + tag_ + ".out")); }
std::string ServerProcess::err() const { return slurp(dir_ / ("serve-" + tag_ + ".err")); }

std::string HttpResponse::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? "" : it->second;
}

HttpResponse http(uint16_t port, const std::string& method, const std::string& target,
                  const std::map<std::string, std::string>& headers, const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT")
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& os = session.sendRequest(req);
  os << body;
  Poco::Net::HTTPResponse resp;
  std::istream& is = session.receiveResponse(resp);
  HttpResponse out;
  out.status = resp.getStatus();
  for (const auto& [k, v] : resp) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& slot = out.headers[name];
    slot = slot.empty() ? v : slot + ", " + v;
  }
  if (method != "HEAD") Poco::StreamCopier::copyToString(is, out.body);
  return out;
}

std::string rawExchange(uint16_t port, const std::string& bytes, int timeoutMs, bool* closed) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeoutMs) * 1000));
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  char buf[65536];
  if (closed) *closed = false;
  try {
    while (true) {
      int n = s.receiveBytes(buf, sizeof buf);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  } catch (const Poco::TimeoutException&) {
  } catch (const Poco::Net::ConnectionResetException&) {
    if (closed) *closed = true;
  }
  return out;
}

}  // namespace charta::testing
