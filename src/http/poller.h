#pragma once

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

}  // namespace charta::http
