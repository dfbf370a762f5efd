// soak_load: a mixed, closed-loop HTTP load against a running `charta serve`, for the soak
// benchmark (tests/bench/soak.sh). Not a test: it measures and reports; the script judges.
//
//   soak_load --port P --token T [--host 127.0.0.1] [--connections 64] [--threads 4]
//             [--seconds 30] [--window 10] [--pid PID] [--json FILE] [--tag TAG]
//             [--mix page:8,current:6,consent:3,status:3]
//
// Every connection is a keep-alive HTTP/1.1 connection that sends one request, reads the whole
// answer and sends the next (closed loop). A connection cycles through the request kinds in the
// proportions of --mix:
//   page     GET /personal-data                                      expects 200
//   current  GET /api/v1/documents/personal-data/current, If-None-Match with the ETag read at
//            start                                                   expects 304 (200 after a
//            switch)
//   consent  POST /api/v1/consents, bearer token (role site), a new subject and Idempotency-Key
//                                                                    expects 201
//   status   GET /api/v1/subjects/{subject}/status?document=personal-data of the subject this
//            connection wrote last                                   expects 200
// Any other status, a malformed answer, no answer within 10 s or a socket error counts as an
// error; a connection that fails is reopened. A server that closes a connection after a whole
// answer (keep_alive_max reached) is not an error: the connection is reopened.
//
// Every window seconds it prints one row: requests/s by kind, errors, p50/p99 of all requests
// of the window, the server's RSS (VmRSS of /proc/PID/status) and the machine's 1-minute load
// average (the machine may be shared). The JSON file has the same
// rows, the whole run's totals and percentiles per kind, and RSS at start and end.
//
// Each worker thread drives its connections with poll(); samples go to a per-thread buffer that
// the main thread collects at each window boundary.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAnswerTimeout = std::chrono::seconds(10);

enum Kind { kPage, kCurrent, kConsent, kStatus, kKinds };
const char* const kKindNames[kKinds] = {"page", "current", "consent", "status"};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;
  int connections = 64;
  int threads = 4;
  double seconds = 30;
  double window = 10;
  int pid = 0;
  std::string json;
  std::string tag = "soak-" + std::to_string(::getpid());
  int mix[kKinds] = {8, 6, 3, 3};
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "soak_load: %s\nusage: soak_load --port P --token T [--host H] [--connections N] "
               "[--threads N] [--seconds S] [--window S] [--pid PID] [--json FILE] [--tag TAG] "
               "[--mix page:8,current:6,consent:3,status:3]\n",
               why.c_str());
  std::exit(2);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--host") {
      o.host = value();
    } else if (a == "--port") {
      o.port = std::atoi(value().c_str());
    } else if (a == "--token") {
      o.token = value();
    } else if (a == "--connections") {
      o.connections = std::atoi(value().c_str());
    } else if (a == "--threads") {
      o.threads = std::atoi(value().c_str());
    } else if (a == "--seconds") {
      o.seconds = std::atof(value().c_str());
    } else if (a == "--window") {
      o.window = std::atof(value().c_str());
    } else if (a == "--pid") {
      o.pid = std::atoi(value().c_str());
    } else if (a == "--json") {
      o.json = value();
    } else if (a == "--tag") {
      o.tag = value();
    } else if (a == "--mix") {
      std::stringstream in(value());
      std::string item;
      std::fill(std::begin(o.mix), std::end(o.mix), 0);
      while (std::getline(in, item, ',')) {
        auto colon = item.find(':');
        if (colon == std::string::npos) usage("--mix items are kind:weight");
        std::string name = item.substr(0, colon);
        int k = 0;
        while (k < kKinds && name != kKindNames[k]) ++k;
        if (k == kKinds) usage("unknown kind in --mix: " + name);
        o.mix[k] = std::atoi(item.c_str() + colon + 1);
      }
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.token.empty()) usage("--token is required");
  if (o.connections < 1 || o.threads < 1 || o.seconds <= 0 || o.window <= 0) {
    usage("connections, threads, seconds and window must be positive");
  }
  o.threads = std::min(o.threads, o.connections);
  return o;
}

// ---- one HTTP/1.1 exchange on a blocking socket (setup only) -----------------------------------

int connectTo(const Options& o, bool nonBlocking) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return -1;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  if (nonBlocking) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// A parsed answer head; body length from Content-Length (charta never sends chunked answers).
struct Head {
  int status = 0;
  std::size_t headLength = 0;  // bytes up to and including the blank line
  std::size_t bodyLength = 0;
  bool close = false;
  std::string etag;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// nullopt: the head is not complete yet; a Head with status 0: malformed.
std::optional<Head> parseHead(const std::string& buf) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  Head h;
  h.headLength = end + 4;
  if (buf.compare(0, 9, "HTTP/1.1 ") != 0 || end < 12) return Head{};
  h.status = std::atoi(buf.c_str() + 9);
  bool chunked = false;
  std::size_t pos = buf.find("\r\n") + 2;
  while (pos < end) {
    std::size_t eol = buf.find("\r\n", pos);
    std::string line = buf.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-length") {
      h.bodyLength = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "connection") {
      h.close = lower(value) == "close";
    } else if (name == "etag") {
      h.etag = value;
    } else if (name == "transfer-encoding") {
      chunked = true;
    }
  }
  if (chunked) return Head{};
  return h;
}

// Sends "request" and reads one whole answer, blocking (for the setup requests).
std::optional<std::pair<Head, std::string>> exchange(const Options& o, const std::string& request) {
  int fd = connectTo(o, false);
  if (fd < 0) return std::nullopt;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string buf;
  char chunk[65536];
  for (;;) {
    auto head = parseHead(buf);
    if (head && (head->status == 0 || buf.size() >= head->headLength + head->bodyLength)) {
      ::close(fd);
      if (head->status == 0) return std::nullopt;
      return std::make_pair(*head, buf.substr(head->headLength, head->bodyLength));
    }
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::nullopt;
}

// ---- samples and windows -----------------------------------------------------------------------

struct Sample {
  uint8_t kind;
  bool ok;
  uint32_t micros;
};

// What a worker hands to the main thread; guarded by its mutex.
struct Inbox {
  std::mutex mutex;
  std::vector<Sample> samples;
  std::map<std::string, long> errors;  // what went wrong -> how often
};

struct Shared {
  Options options;
  std::string etag;  // of `current`, read at start
  std::atomic<bool> stop{false};
  std::vector<Inbox> inboxes;
  explicit Shared(const Options& o) : options(o), inboxes(o.threads) {}
};

// ---- one worker: several connections driven by poll() ------------------------------------------

class Worker {
 public:
  Worker(Shared& shared, int index, int connections)
      : shared_(shared), inbox_(shared.inboxes[index]), index_(index), conns_(connections) {
    const Options& o = shared_.options;
    for (int k = 0; k < kKinds; ++k) {
      for (int i = 0; i < o.mix[k]; ++i) cycle_.push_back(static_cast<Kind>(k));
    }
    // Interleave the kinds so that each connection sees a steady mix, and start every
    // connection at a different place in the cycle.
    std::vector<Kind> spread;
    for (std::size_t step = 0; spread.size() < cycle_.size(); ++step) {
      for (int k = 0; k < kKinds; ++k) {
        if (static_cast<int>(step) < o.mix[k]) spread.push_back(static_cast<Kind>(k));
      }
    }
    cycle_ = spread;
    for (std::size_t c = 0; c < conns_.size(); ++c) {
      conns_[c].next = (c * 7 + static_cast<std::size_t>(index)) % cycle_.size();
    }
  }

  void run() {
    std::vector<pollfd> fds(conns_.size());
    while (!shared_.stop.load(std::memory_order_relaxed)) {
      for (std::size_t c = 0; c < conns_.size(); ++c) {
        Conn& cn = conns_[c];
        if (cn.fd < 0) open(c);
        if (cn.fd >= 0 && !cn.busy) start(c);
        fds[c].fd = cn.fd;
        fds[c].events = cn.sent < cn.out.size() ? POLLOUT : POLLIN;
        fds[c].revents = 0;
      }
      int n = ::poll(fds.data(), fds.size(), 100);
      if (n < 0 && errno != EINTR) {
        note("poll: " + std::string(std::strerror(errno)));
        continue;
      }
      auto now = Clock::now();
      for (std::size_t c = 0; c < conns_.size(); ++c) {
        if (conns_[c].busy && now - conns_[c].began > kAnswerTimeout) {
          fail(c, "no answer within 10 s");
          continue;
        }
        if (fds[c].fd < 0 || fds[c].revents == 0) continue;
        if (fds[c].revents & POLLOUT) {
          write(c);
        } else {
          read(c);
        }
      }
      flush(false);
    }
    for (auto& cn : conns_) {
      if (cn.fd >= 0) ::close(cn.fd);
    }
    flush(true);
  }

 private:
  struct Conn {
    int fd = -1;
    bool busy = false;
    Kind kind = kPage;
    std::size_t next = 0;
    std::string out;
    std::size_t sent = 0;
    std::string in;
    Clock::time_point began;
    std::string lastSubject;
  };

  void open(std::size_t c) {
    conns_[c].fd = connectTo(shared_.options, true);
    if (conns_[c].fd < 0) {
      note("connect: " + std::string(std::strerror(errno)));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  void start(std::size_t c) {
    Conn& cn = conns_[c];
    cn.kind = cycle_[cn.next];
    cn.next = (cn.next + 1) % cycle_.size();
    if (cn.kind == kStatus && cn.lastSubject.empty()) cn.kind = kConsent;
    cn.out = request(cn);
    cn.sent = 0;
    cn.in.clear();
    cn.busy = true;
    cn.began = Clock::now();
    write(c);
  }

  std::string request(Conn& cn) {
    const Options& o = shared_.options;
    std::string host = "Host: " + o.host + ":" + std::to_string(o.port) + "\r\n";
    switch (cn.kind) {
      case kPage:
        return "GET /personal-data HTTP/1.1\r\n" + host + "Accept: text/html\r\n\r\n";
      case kCurrent:
        return "GET /api/v1/documents/personal-data/current HTTP/1.1\r\n" + host +
               "Accept: application/json\r\nIf-None-Match: " + shared_.etag + "\r\n\r\n";
      case kConsent: {
        std::string key = o.tag + "-" + std::to_string(index_) + "-" + std::to_string(++serial_);
        cn.lastSubject = "soak-" + key;
        std::string body = "{\"subject\":\"" + cn.lastSubject +
                           "\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":"
                           "\"ru\",\"purposes\":[\"marketing\",\"account\"],\"collection_method\":"
                           "\"web-form\",\"form_id\":\"checkout\",\"evidence\":{\"user_agent\":"
                           "\"charta-soak\"}}";
        return "POST /api/v1/consents HTTP/1.1\r\n" + host + "Authorization: Bearer " + o.token +
               "\r\nContent-Type: application/json\r\nIdempotency-Key: " + key +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      }
      case kStatus:
      default:
        return "GET /api/v1/subjects/" + cn.lastSubject +
               "/status?document=personal-data HTTP/1.1\r\n" + host + "Authorization: Bearer " +
               o.token + "\r\nAccept: application/json\r\n\r\n";
    }
  }

  void write(std::size_t c) {
    Conn& cn = conns_[c];
    while (cn.sent < cn.out.size()) {
      ssize_t n = ::send(cn.fd, cn.out.data() + cn.sent, cn.out.size() - cn.sent, MSG_NOSIGNAL);
      if (n > 0) {
        cn.sent += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        fail(c, "send: " + std::string(std::strerror(errno)));
        return;
      }
    }
  }

  void read(std::size_t c) {
    Conn& cn = conns_[c];
    char chunk[65536];
    bool eof = false;
    for (;;) {
      ssize_t n = ::recv(cn.fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        cn.in.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      fail(c, "recv: " + std::string(std::strerror(errno)));
      return;
    }
    auto head = parseHead(cn.in);
    if (head && head->status == 0) {
      fail(c, "malformed answer");
      return;
    }
    if (!head || cn.in.size() < head->headLength + head->bodyLength) {
      if (eof) fail(c, "closed by the server mid-answer");
      return;
    }
    if (cn.in.size() > head->headLength + head->bodyLength) {
      fail(c, "bytes after the answer");
      return;
    }
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - cn.began);
    bool ok = expected(cn.kind, head->status);
    if (!ok) note(std::string(kKindNames[cn.kind]) + ": status " + std::to_string(head->status));
    pending_.push_back({static_cast<uint8_t>(cn.kind), ok, static_cast<uint32_t>(micros.count())});
    cn.busy = false;
    if (head->close || eof) {
      ::close(cn.fd);
      cn.fd = -1;
    }
  }

  static bool expected(Kind kind, int status) {
    switch (kind) {
      case kCurrent:
        return status == 304 || status == 200;
      case kConsent:
        return status == 201;
      default:
        return status == 200;
    }
  }

  // A socket error: one failed sample (when a request was in flight) and a new connection.
  void fail(std::size_t c, const std::string& what) {
    Conn& cn = conns_[c];
    note(what);
    if (cn.busy) {
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - cn.began);
      pending_.push_back(
          {static_cast<uint8_t>(cn.kind), false, static_cast<uint32_t>(micros.count())});
    }
    cn.busy = false;
    if (cn.fd >= 0) ::close(cn.fd);
    cn.fd = -1;
  }

  void note(const std::string& what) { ++pendingErrors_[what]; }

  void flush(bool force) {
    if (!force && pending_.size() < 256 &&
        Clock::now() - lastFlush_ < std::chrono::milliseconds(50)) {
      return;
    }
    std::lock_guard lock(inbox_.mutex);
    inbox_.samples.insert(inbox_.samples.end(), pending_.begin(), pending_.end());
    for (auto& [what, n] : pendingErrors_) inbox_.errors[what] += n;
    pending_.clear();
    pendingErrors_.clear();
    lastFlush_ = Clock::now();
  }

  Shared& shared_;
  Inbox& inbox_;
  int index_;
  std::vector<Conn> conns_;
  std::vector<Kind> cycle_;
  long serial_ = 0;
  std::vector<Sample> pending_;
  std::map<std::string, long> pendingErrors_;
  Clock::time_point lastFlush_ = Clock::now();
};

// ---- the report
// ----------------------------------------------------------------------------------

long rssKiB(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double loadAverage() {
  std::ifstream in("/proc/loadavg");
  double load1 = -1;
  in >> load1;
  return load1;
}

double percentileMs(std::vector<uint32_t>& micros, double q) {
  if (micros.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1) + 0.5);
  std::nth_element(micros.begin(), micros.begin() + static_cast<long>(i), micros.end());
  return micros[i] / 1000.0;
}

struct Row {
  double t0 = 0, t1 = 0;
  long count[kKinds] = {};
  long errors = 0;
  double p50 = 0, p99 = 0;
  long rss = -1;
  double load1 = -1;  // the machine's 1-minute load average at the end of the window
};

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseArgs(argc, argv);
  Shared shared(o);

  // The ETag of `current`, for If-None-Match.
  auto current =
      exchange(o, "GET /api/v1/documents/personal-data/current HTTP/1.1\r\nHost: " + o.host +
                      "\r\nConnection: close\r\n\r\n");
  if (!current || current->first.status != 200 || current->first.etag.empty()) {
    std::fprintf(stderr, "soak_load: GET current did not answer 200 with an ETag\n");
    return 1;
  }
  shared.etag = current->first.etag;

  long rssStart = rssKiB(o.pid);
  std::printf("soak_load: %d connections on %d threads, %.0f s, window %.0f s, mix", o.connections,
              o.threads, o.seconds, o.window);
  for (int k = 0; k < kKinds; ++k) std::printf(" %s:%d", kKindNames[k], o.mix[k]);
  std::printf("; server RSS at start %ld KiB\n", rssStart);
  std::printf("%7s %8s %8s %8s %8s %8s %7s %8s %8s %9s %6s\n", "t s", "page/s", "cur/s", "cons/s",
              "stat/s", "total/s", "errors", "p50 ms", "p99 ms", "RSS KiB", "load");
  std::fflush(stdout);

  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    int n = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(shared, t, n));
  }
  auto begin = Clock::now();
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  std::vector<Row> rows;
  std::vector<uint32_t> all[kKinds];
  long totalCount[kKinds] = {};
  long totalErrors = 0;
  std::map<std::string, long> errorKinds;
  auto collect = [&](Row& row) {
    std::vector<uint32_t> window;
    for (auto& inbox : shared.inboxes) {
      std::lock_guard lock(inbox.mutex);
      for (const Sample& s : inbox.samples) {
        ++row.count[s.kind];
        ++totalCount[s.kind];
        if (!s.ok) {
          ++row.errors;
          ++totalErrors;
        }
        window.push_back(s.micros);
        all[s.kind].push_back(s.micros);
      }
      inbox.samples.clear();
      for (auto& [what, n] : inbox.errors) errorKinds[what] += n;
      inbox.errors.clear();
    }
    row.p50 = percentileMs(window, 0.50);
    row.p99 = percentileMs(window, 0.99);
  };
  auto printRow = [&](const Row& r) {
    double span = std::max(r.t1 - r.t0, 1e-3);
    long total = 0;
    for (long c : r.count) total += c;
    std::printf("%7.1f %8.0f %8.0f %8.0f %8.0f %8.0f %7ld %8.2f %8.2f %9ld %6.2f\n", r.t1,
                r.count[kPage] / span, r.count[kCurrent] / span, r.count[kConsent] / span,
                r.count[kStatus] / span, total / span, r.errors, r.p50, r.p99, r.rss, r.load1);
    std::fflush(stdout);
  };

  double t = 0;
  while (t < o.seconds - 1e-9) {
    double next = std::min(t + o.window, o.seconds);
    std::this_thread::sleep_until(begin + std::chrono::duration<double>(next));
    Row row;
    row.t0 = t;
    row.t1 = next;
    collect(row);
    row.rss = rssKiB(o.pid);
    row.load1 = loadAverage();
    printRow(row);
    rows.push_back(row);
    t = next;
  }
  shared.stop = true;
  for (auto& th : threads) th.join();
  // Answers that arrived after the last window closed belong to no row but to the totals.
  Row tail;
  collect(tail);
  long rssEnd = rssKiB(o.pid);

  long total = 0;
  for (long c : totalCount) total += c;
  std::vector<uint32_t> merged;
  for (auto& v : all) merged.insert(merged.end(), v.begin(), v.end());
  double p50 = percentileMs(merged, 0.50), p99 = percentileMs(merged, 0.99);
  double p999 = percentileMs(merged, 0.999);
  std::printf(
      "total: %ld requests in %.0f s (%.0f/s), %ld errors, p50 %.2f ms, p99 %.2f ms, "
      "p99.9 %.2f ms; server RSS %ld -> %ld KiB\n",
      total, o.seconds, total / o.seconds, totalErrors, p50, p99, p999, rssStart, rssEnd);
  for (int k = 0; k < kKinds; ++k) {
    std::vector<uint32_t> v = all[k];
    std::printf("  %-8s %9ld requests %8.0f/s  p50 %7.2f ms  p99 %7.2f ms\n", kKindNames[k],
                totalCount[k], totalCount[k] / o.seconds, percentileMs(v, 0.5),
                percentileMs(v, 0.99));
  }
  for (auto& [what, n] : errorKinds) std::printf("  error: %s (%ld)\n", what.c_str(), n);

  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << "{\n  \"connections\": " << o.connections << ",\n  \"threads\": " << o.threads
        << ",\n  \"seconds\": " << o.seconds << ",\n  \"window_s\": " << o.window
        << ",\n  \"mix\": {";
    for (int k = 0; k < kKinds; ++k) {
      out << (k ? ", " : "") << "\"" << kKindNames[k] << "\": " << o.mix[k];
    }
    out << "},\n  \"rss_kib_start\": " << rssStart << ",\n  \"rss_kib_end\": " << rssEnd
        << ",\n  \"requests\": " << total << ",\n  \"errors\": " << totalErrors
        << ",\n  \"rps\": " << fmt(total / o.seconds, 1) << ",\n  \"p50_ms\": " << fmt(p50, 3)
        << ",\n  \"p99_ms\": " << fmt(p99, 3) << ",\n  \"p999_ms\": " << fmt(p999, 3)
        << ",\n  \"kinds\": {";
    for (int k = 0; k < kKinds; ++k) {
      std::vector<uint32_t> v = all[k];
      out << (k ? "," : "") << "\n    \"" << kKindNames[k] << "\": {\"requests\": " << totalCount[k]
          << ", \"rps\": " << fmt(totalCount[k] / o.seconds, 1)
          << ", \"p50_ms\": " << fmt(percentileMs(v, 0.5), 3)
          << ", \"p99_ms\": " << fmt(percentileMs(v, 0.99), 3) << "}";
    }
    out << "\n  },\n  \"error_kinds\": {";
    bool first = true;
    for (auto& [what, n] : errorKinds) {
      out << (first ? "" : ", ") << jsonString(what) << ": " << n;
      first = false;
    }
    out << "},\n  \"windows\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      double span = std::max(r.t1 - r.t0, 1e-3);
      out << (i ? "," : "") << "\n    {\"t0\": " << fmt(r.t0, 1) << ", \"t1\": " << fmt(r.t1, 1);
      for (int k = 0; k < kKinds; ++k) {
        out << ", \"" << kKindNames[k] << "_rps\": " << fmt(r.count[k] / span, 1);
      }
      out << ", \"errors\": " << r.errors << ", \"p50_ms\": " << fmt(r.p50, 3)
          << ", \"p99_ms\": " << fmt(r.p99, 3) << ", \"rss_kib\": " << r.rss
          << ", \"load1\": " << fmt(r.load1, 2) << "}";
    }
    out << "\n  ]\n}\n";
    if (!out) {
      std::fprintf(stderr, "soak_load: cannot write %s\n", o.json.c_str());
      return 1;
    }
  }
  return 0;
}
