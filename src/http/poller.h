#pragma once

#include <chrono>
#include <vector>

#include "http/fd.h"

namespace charta::http {

// An eventfd: one thread signals, another wakes from poll() or epoll_wait(). Owns its descriptor.
// signal() and drain() are safe for concurrent use.
class Waker {
 public:
  // throws Error: no descriptor can be had.
  Waker();
  int fd() const { return fd_.get(); }
  void signal();
  void drain();

 private:
  Fd fd_;
};

// The set of parked connections: an epoll set in which each descriptor reports once that it is
// readable (or closed), and a Waker that interrupts wait(). Owns both descriptors. add(), remove()
// and wake() are safe for concurrent use with wait() (which one thread calls).
class Poller {
 public:
  // throws Error: no descriptor can be had.
  Poller();

  // Watches "fd" until it next becomes readable; false when it cannot be watched.
  bool add(int fd);
  void remove(int fd);
  void wake() { waker_.signal(); }
  // Waits up to "timeout" and fills "ready" with the descriptors that became readable since they
  // were added. Each reports once: it stays in the set, silent, until remove().
  void wait(std::vector<int>& ready, std::chrono::milliseconds timeout);

 private:
  Fd epoll_;
  Waker waker_;
};

}  // namespace charta::http
