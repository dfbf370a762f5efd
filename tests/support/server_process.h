#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace charta::testing {

// The real `charta serve` process on an ephemeral port, started in "workdir" (where var/ lives)
// with "-D key=value" definitions. stdout and stderr go to files in "workdir"; in the asan build
// its sanitizer reports go to reportsDir(). The destructor sends SIGTERM and waits: a server that
// does not then exit 0 leaves a report there too. kill() lets a test crash it on purpose.
class ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& workdir, const std::vector<std::string>& defs = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }  // -1 once reaped
  std::string url(const std::string& path) const;
  // Sends "signal"; with wait, reaps the process and returns its exit status (128+signal).
  int kill(int signal, bool wait = true);
  bool running();
  std::string out() const;  // stdout so far (the access log)
  std::string err() const;  // stderr so far

 private:
  std::filesystem::path dir_;
  std::string tag_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// One HTTP exchange with a real client (Poco::Net::HTTPClientSession).
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; repeated ones joined ", "
  std::string body;
  std::string header(const std::string& lowerName) const;
};

HttpResponse http(uint16_t port, const std::string& method, const std::string& target,
                  const std::map<std::string, std::string>& headers = {},
                  const std::string& body = "");

// Sends raw bytes on a fresh connection and returns everything read until the server closes or
// "timeoutMs" passes; "closed" (when given) says which of the two happened.
std::string rawExchange(uint16_t port, const std::string& bytes, int timeoutMs = 3000,
                        bool* closed = nullptr);

}  // namespace charta::testing
