#include "http/poller.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "core/error.h"

namespace charta::http {

namespace {

Fd checked(int fd, const char* what) {
  if (fd < 0)
    throw Error(std::string("creating ") + what + ": " + std::generic_category().message(errno));
  return Fd(fd);
}

}  // namespace

Waker::Waker() : fd_(checked(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "an eventfd")) {}

void Waker::signal() {
  uint64_t one = 1;
  // Fails only when the counter is full, and then a wake-up is pending anyway.
  [[maybe_unused]] ssize_t n = ::write(fd_.get(), &one, sizeof one);
}

void Waker::drain() {
  uint64_t v;
  while (::read(fd_.get(), &v, sizeof v) > 0) {
  }
}

Poller::Poller() : epoll_(checked(::epoll_create1(EPOLL_CLOEXEC), "the connection poller")) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = waker_.fd();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, waker_.fd(), &ev) != 0) {
    throw Error(std::string("watching the poller's eventfd: ") +
                std::generic_category().message(errno));
  }
}

bool Poller::add(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

void Poller::remove(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

void Poller::wait(std::vector<int>& ready, std::chrono::milliseconds timeout) {
  ready.clear();
  epoll_event events[64];
  int n = ::epoll_wait(epoll_.get(), events, 64, static_cast<int>(timeout.count()));
  for (int i = 0; i < n; ++i) {
    if (events[i].data.fd == waker_.fd()) {
      waker_.drain();
    } else {
      ready.push_back(events[i].data.fd);
    }
  }
}

}  // namespace charta::http
