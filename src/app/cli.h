#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace charta::app {

// Exit codes of the charta command; scripts may rely on them.
enum ExitCode : int {
  kOk = 0,
  kFailure = 1,   // the repository, ledger or server failed
  kInvalid = 2,   // bad arguments or a refused request (backdating, unknown revision, ...)
  kConflict = 3,  // someone else changed the same thing first; retrying may succeed
  kNotFound = 4,  // no such document, edition or commit; nothing in force
  // 5 is kLedgerBroken (cli_ledger.h)
  kUnavailable = 6,  // held by another writer (a fresh git lock) or unreachable now; retry later
};

// Runs "charta <argv...>", writing results to "out" and one-line errors to "err".
int runCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

}  // namespace charta::app
