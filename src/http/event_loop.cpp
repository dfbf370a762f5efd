#include "http/event_loop.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "core/error.h"
#include "http/server.h"

namespace charta::http {
namespace {

using Clock = Connection::Clock;

// Answers queued on one connection before they are sent: pipelined requests past it wait.
constexpr size_t kOutputHigh = 256 * 1024;
// Reads and sends on one connection per event before the others get their turn.
constexpr int kRounds = 16;
constexpr size_t kMaxDrained = 4 * 1024 * 1024;

}  // namespace

EventLoop::EventLoop(size_t index, Handler& handler, const ServerLimits& limits, LoopHooks hooks)
    : index_(index), handler_(handler), limits_(limits), hooks_(std::move(hooks)) {
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) {
    throw Error("creating an event loop: " + std::generic_category().message(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = waker_.fd();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, waker_.fd(), &ev) != 0) {
    throw Error("watching an event loop's eventfd: " + std::generic_category().message(errno));
  }
}

EventLoop::~EventLoop() {
  for (auto& [fd, c] : conns_) {
    c.reset();
    hooks_.closed();
  }
  for (auto& c : inbox_) {
    c.reset();
    hooks_.closed();
  }
}

void EventLoop::adopt(std::unique_ptr<Connection> c) {
  c->home = index_;
  {
    std::lock_guard lock(inboxMu_);
    active_.fetch_add(1);  // counted until the loop has it in its table
    inbox_.push_back(std::move(c));
  }
  waker_.signal();
}

bool EventLoop::claimIdle() {
  if (idle_.load() <= evict_.load()) return false;
  evict_.fetch_add(1);
  waker_.signal();
  return true;
}

void EventLoop::run(const std::atomic<bool>& shutdown) {
  epoll_event events[128];
  auto nextSweep = Clock::now();
  while (!shutdown.load()) {
    int timeout = !again_.empty() ? 0 : stopping() ? 10 : 100;
    int n = ::epoll_wait(epoll_.get(), events, 128, timeout);
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == waker_.fd()) {
        woken = true;
      } else {
        onEvent(events[i].data.fd, events[i].events);
      }
    }
    if (woken) {
      waker_.drain();
      takeInbox();
      while (evict_.load() > 0) {
        closeOldestIdle();
        evict_.fetch_sub(1);
      }
    }
    std::vector<int> again;
    again.swap(again_);
    for (int fd : again) onEvent(fd, EPOLLIN);
    auto now = Clock::now();
    if (now >= nextSweep || stopping()) {
      sweep(now);
      nextSweep = now + std::chrono::milliseconds(100);
    }
  }
}

void EventLoop::takeInbox() {
  std::vector<std::unique_ptr<Connection>> taken;
  {
    std::lock_guard lock(inboxMu_);
    taken.swap(inbox_);
  }
  for (auto& c : taken) {
    int fd = c->fd.get();
    c->countedActive = c->countedIdle = false;
    c->watched = 0;
    auto it = conns_.emplace(fd, std::move(c)).first;
    Next next = advance(*it->second);
    account(*it->second, true, false);  // the inbox's count becomes the table's
    active_.fetch_sub(1);
    settle(it, next);
  }
}

void EventLoop::onEvent(int fd, uint32_t events) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;  // closed earlier in this round
  settle(it, (events & EPOLLERR) ? Next::kClose : advance(*it->second));
}

// Sends what is queued, answers what it can, reads, until the connection waits for the client,
// needs a worker or is done.
EventLoop::Next EventLoop::advance(Connection& c) {
  if (c.draining) return drainSome(c);
  for (int round = 0; round < kRounds; ++round) {
    if (!c.out.empty()) {
      switch (c.out.send(c.fd.get())) {
        case Output::Sent::kFailed:
          return Next::kClose;
        case Output::Sent::kBlocked:
          c.deadline = Clock::now() + limits_.sendTimeout;
          return Next::kWait;
        case Output::Sent::kDone:
          break;
      }
    }
    if (c.closeAfter) return Next::kClose;
    if (c.expired) return Next::kWorker;
    Parse p = answerBuffered(c);
    if (p != Parse::kNeedMore) {
      if (c.out.empty()) return Next::kWorker;
      continue;  // the earlier answers go first
    }
    if (!c.out.empty()) continue;
    if (!c.idle() && Clock::now() - c.requestStart > limits_.headerTimeout) {
      c.expired = true;
      return Next::kWorker;
    }
    long n = readSome(c);
    if (n > 0) continue;
    if (n == 0) return Next::kClose;
    if (stopping() && c.idle()) return Next::kClose;
    c.deadline =
        c.idle() ? Clock::now() + limits_.keepAliveIdle : c.requestStart + limits_.headerTimeout;
    return Next::kWait;
  }
  c.deadline = Clock::now() + std::max(limits_.keepAliveIdle, limits_.sendTimeout);
  return Next::kAgain;
}

// Answers the complete requests at the front of the buffer that quick() answers. kNeedMore: no
// complete request is left, or enough answers are queued; kRequest or kRefused: the next one
// needs a worker.
Parse EventLoop::answerBuffered(Connection& c) {
  if (c.workerNext) return Parse::kRequest;
  while (c.out.size() < kOutputHigh && !c.closeAfter) {
    Request req;
    size_t consumed = 0;
    Refusal refusal;
    Parse p = tryParse(c, limits_, req, consumed, refusal);
    if (p != Parse::kRequest) return p;
    auto started = Clock::now();
    req.requestId = nextRequestId();
    req.peer = c.peer;
    std::optional<Reply> reply;
    if (req.body.empty()) reply = handler_.quick(req);
    if (!reply) {
      c.workerNext = true;
      return Parse::kRequest;
    }
    bool keepAlive = wantsKeepAlive(req) && c.served + 1 < limits_.keepAliveMax && !stopping();
    req.onLoop = true;
    queueReply(c.out, req, *reply, keepAlive);
    handler_.completed(req, *reply, Clock::now() - started);
    ++c.served;
    c.begin = consumed;
    c.requestStart = {};
    c.sentContinue = false;
    c.headDone = false;
    c.closeAfter = !keepAlive;
  }
  return Parse::kNeedMore;
}

// Refused and half-closed: reads and drops what the client still sends, until it closes, the
// limit is reached, or (in the sweep) the deadline passes.
EventLoop::Next EventLoop::drainSome(Connection& c) {
  while (c.drained < kMaxDrained) {
    c.begin = c.end = 0;
    long n = readSome(c);
    if (n == 0) return Next::kClose;
    if (n < 0) return Next::kWait;
    c.drained += static_cast<size_t>(n);
  }
  return Next::kClose;
}

void EventLoop::settle(Table::iterator it, Next next) {
  Connection& c = *it->second;
  switch (next) {
    case Next::kAgain:
      again_.push_back(it->first);
      [[fallthrough]];
    case Next::kWait:
      // Between requests the read buffer goes back to the allocator (which hands the same block to
      // the next reader): idle connections cost their socket and this struct, not a buffer.
      if (c.out.empty()) releaseIdle(c);
      watch(c);
      account(c, c.inFlight() || !c.out.empty(),
              c.idle() && c.out.empty() && !c.draining && !c.closeAfter);
      return;
    case Next::kWorker: {
      if (c.watched) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->first, nullptr);
      c.watched = 0;
      c.workerNext = false;
      account(c, true, false);  // the queue takes the count over (LoopHooks::toWorker)
      c.countedActive = false;
      auto owned = std::move(it->second);
      conns_.erase(it);
      hooks_.toWorker(std::move(owned), active_);
      return;
    }
    case Next::kClose:
      close(it);
      return;
  }
}

void EventLoop::watch(Connection& c) {
  // While an answer waits to be sent, nothing more is read (and a client that only sends cannot
  // make the loop spin); the end of the connection is reported either way.
  uint32_t want = c.out.empty() ? EPOLLIN | EPOLLRDHUP : EPOLLOUT;
  if (want == c.watched) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = c.fd.get();
  int op = c.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_.get(), op, c.fd.get(), &ev) == 0) {
    c.watched = want;
  } else {
    c.deadline = Clock::now();  // cannot be watched: the next sweep closes it
  }
}

void EventLoop::account(Connection& c, bool active, bool idle) {
  if (active != c.countedActive) {
    active_.fetch_add(active ? 1 : -1);
    c.countedActive = active;
  }
  if (idle != c.countedIdle) {
    idle_.fetch_add(idle ? 1 : -1);
    c.countedIdle = idle;
  }
}

void EventLoop::close(Table::iterator it) {
  account(*it->second, false, false);
  conns_.erase(it);  // the socket leaves the epoll set as it closes
  hooks_.closed();
}

void EventLoop::closeOldestIdle() {
  auto oldest = conns_.end();
  for (auto it = conns_.begin(); it != conns_.end(); ++it) {
    if (!it->second->countedIdle) continue;
    if (oldest == conns_.end() || it->second->deadline < oldest->second->deadline) oldest = it;
  }
  if (oldest != conns_.end()) close(oldest);
}

// Time-outs, and (once stopping) the idle connections.
void EventLoop::sweep(Clock::time_point now) {
  std::vector<int> expired;
  for (auto& [fd, c] : conns_) {
    bool quietNow = c->idle() && c->out.empty() && !c->draining;
    if ((stopping() && quietNow) || c->deadline <= now) expired.push_back(fd);
  }
  for (int fd : expired) {
    auto it = conns_.find(fd);
    Connection& c = *it->second;
    // A request begun and not finished in time gets its 408 from a worker (a blocking write).
    if (!c.idle() && c.out.empty() && !c.draining && !c.closeAfter) {
      c.expired = true;
      settle(it, Next::kWorker);
    } else {
      close(it);
    }
  }
}

}  // namespace charta::http
