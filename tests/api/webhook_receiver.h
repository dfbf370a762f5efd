#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace charta::apitest {

// What a webhook receiver got: headers (names in lower case), body, and when it arrived.
struct Delivery {
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::system_clock::time_point at;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A tiny HTTP/1.1 receiver on 127.0.0.1: reads one request per connection, records it and
// answers "status" with no body. Listens from construction until destruction.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(uint16_t port = 0, int status = 204)
      : WebhookReceiver(Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", port), 64),
                        status) {}
  // On a socket the caller made: a Poco::Net::SecureServerSocket receives over TLS.
  explicit WebhookReceiver(Poco::Net::ServerSocket socket, int status = 204)
      : socket_(std::move(socket)), status_(status) {
    socket_.setReceiveTimeout(Poco::Timespan(0, 100000));
    thread_ = std::thread([this] { loop(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return socket_.address().port(); }

  // Waits until "pred" holds for the deliveries so far, up to "timeout"; returns them.
  template <typename Pred>
  std::vector<Delivery> waitFor(Pred pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return pred(got_); });
    return got_;
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard lock(mu_);
    return got_;
  }
  // Connections that failed before a request was read (a TLS handshake the client gave up).
  int failedConnections() {
    std::lock_guard lock(mu_);
    return failed_;
  }
  // Waits until at least "n" connections failed, up to "timeout".
  bool waitForFailures(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return failed_ >= n; });
  }

 private:
  void loop() {
    while (!stop_) {
      Poco::Net::StreamSocket conn;
      try {
        conn = socket_.acceptConnection();
      } catch (const Poco::TimeoutException&) {
        continue;
      } catch (const Poco::Exception& e) {
        // A TLS server socket shakes hands as it accepts ("SSL Exception", "Certificate ...").
        std::string what = e.name();
        if (what.find("SSL") != std::string::npos || what.find("ertificate") != std::string::npos) {
          fail();
        }
        continue;
      }
      try {
        serve(conn);
      } catch (const Poco::Exception&) {
        fail();
      }
    }
  }

  void serve(Poco::Net::StreamSocket& conn) {
    conn.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string data;
    char buf[8192];
    size_t headEnd;
    while ((headEnd = data.find("\r\n\r\n")) == std::string::npos) {
      int n = conn.receiveBytes(buf, sizeof buf);
      if (n <= 0) {
        fail();  // closed before a whole request came
        return;
      }
      data.append(buf, static_cast<size_t>(n));
    }
    Delivery d;
    d.at = std::chrono::system_clock::now();
    size_t pos = data.find("\r\n") + 2;
    while (pos < headEnd) {
      size_t eol = data.find("\r\n", pos);
      std::string line = data.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      d.headers[name] = value;
    }
    size_t length =
        std::stoul(d.header("content-length").empty() ? "0" : d.header("content-length"));
    d.body = data.substr(headEnd + 4);
    while (d.body.size() < length) {
      int n = conn.receiveBytes(buf, sizeof buf);
      if (n <= 0) return;
      d.body.append(buf, static_cast<size_t>(n));
    }
    std::string reply = "HTTP/1.1 " + std::to_string(status_) +
                        " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    conn.sendBytes(reply.data(), static_cast<int>(reply.size()));
    conn.shutdown();
    {
      std::lock_guard lock(mu_);
      got_.push_back(std::move(d));
    }
    cv_.notify_all();
  }

  void fail() {
    {
      std::lock_guard lock(mu_);
      ++failed_;
    }
    cv_.notify_all();
  }

  Poco::Net::ServerSocket socket_;
  int status_;
  int failed_ = 0;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> got_;
};

// A port on 127.0.0.1 that nothing listens on (bound once, then released).
inline uint16_t unusedPort() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  return s.address().port();
}

}  // namespace charta::apitest
