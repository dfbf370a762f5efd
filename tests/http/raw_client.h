#pragma once

// A client that speaks HTTP/1.1 byte by byte over one kept-open connection, for tests of the
// transport: keep-alive, partial requests, what the server says before it closes.
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/server_process.h"

namespace charta::testing {

// One answer as read off the wire; status 0 when the connection closed (or timed out) first.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
  bool has(const std::string& text) const { return head.find(text) != std::string::npos; }
};

class RawClient {
 public:
  explicit RawClient(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(10))
      : sock_(Poco::Net::SocketAddress("127.0.0.1", port)) {
    sock_.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout.count()), 0));
  }

  void send(const std::string& bytes) {
    sock_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  }

  // Reads one response (a head, then Content-Length bytes of body). Interim 1xx answers are
  // returned like any other.
  RawResponse read() {
    RawResponse r = readHead();
    if (r.head.empty()) return r;
    size_t length = 0;
    size_t cl = lower(r.head).find("\r\ncontent-length:");
    if (cl != std::string::npos) length = std::stoul(r.head.substr(cl + 17));
    while (buf_.size() < length) {
      if (!fill()) return RawResponse{};
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // Reads the answer to a HEAD: a head and no body, whatever Content-Length says.
  RawResponse readHead() {
    RawResponse r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return r;
    }
    r.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    if (r.head.size() >= 12) r.status = std::stoi(r.head.substr(9, 3));
    return r;
  }

  RawResponse exchange(const std::string& request) {
    send(request);
    return read();
  }

  // Whether the server closed the connection (reads to the end, up to the receive time-out).
  bool closedByServer() {
    try {
      while (fill()) {
      }
      return true;
    } catch (const Poco::TimeoutException&) {
      return false;
    }
  }

  void close() { sock_.close(); }

 private:
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool fill() {
    char tmp[16384];
    int n = 0;
    try {
      n = sock_.receiveBytes(tmp, sizeof tmp);
    } catch (const Poco::Net::ConnectionResetException&) {
      return false;
    }
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  Poco::Net::StreamSocket sock_;
  std::string buf_;
};

// Waits until the server's stderr holds "needle" (a log line is the event), up to "timeout".
inline bool waitForLog(ServerProcess& server, const std::string& needle,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (server.err().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace charta::testing
