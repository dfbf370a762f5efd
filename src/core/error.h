#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace charta {

// The one error type of charta: a real failure (not an expected outcome), with a one-line message
// that says what was being done. Each adapter derives its own kind so callers can tell them apart.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request itself is wrong (bad time, unknown edition, backdating...): the caller can fix it.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

// A compare-and-swap lost: somebody else changed the same thing first. Retrying may succeed.
class Conflict : public Error {
 public:
  using Error::Error;
};

// Something needed is held by another writer or cannot be reached now (a lock of another
// process, a database that is restarting or full): retrying after "retryAfter" may succeed.
class Unavailable : public Error {
 public:
  Unavailable(const std::string& message, std::chrono::seconds retryAfter)
      : Error(message), retryAfter_(retryAfter) {}
  std::chrono::seconds retryAfter() const { return retryAfter_; }

 private:
  std::chrono::seconds retryAfter_;
};

// The thing asked for does not exist.
class NotFound : public Error {
 public:
  using Error::Error;
};

}  // namespace charta
