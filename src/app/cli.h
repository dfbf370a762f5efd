#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace charta::app {

// Runs "charta <argv...>", writing results to "out" and one-line errors to "err"; returns the
// exit code (app/exit_codes.h).
int runCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

}  // namespace charta::app
