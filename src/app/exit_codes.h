#pragma once

#include <exception>

#include "service/errors.h"

namespace charta::app {

// Exit codes of the charta command; scripts may rely on them.
enum ExitCode : int {
  kOk = 0,
  kFailure = 1,       // the repository, ledger or server failed
  kInvalid = 2,       // bad arguments or a refused request (backdating, unknown revision, ...)
  kConflict = 3,      // someone else changed the same thing first; retrying may succeed
  kNotFound = 4,      // no such document, edition or commit; nothing in force
  kLedgerBroken = 5,  // `charta ledger verify` found the chain changed (a result, not a failure)
  kUnavailable = 6,   // held by another writer (a fresh git lock); retry later
};

// The one mapping of failures to exit codes: every service::Fault has one.
ExitCode exitCode(service::Fault fault);

// The exit code of whatever a command threw (see service::failureOf).
ExitCode exitCodeOf(const std::exception& e);

}  // namespace charta::app
