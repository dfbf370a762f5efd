#include "http/poller.h"

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

}  // namespace charta::http
