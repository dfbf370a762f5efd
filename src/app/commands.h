#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "app/args.h"

namespace charta::app {

// What every subcommand gets: its arguments, the configuration and the output stream. Commands
// implemented outside cli.cpp (cli_*.cpp) take it and return an exit code from cli.h; they
// throw InvalidInput / NotFound / Conflict / Error for the one-line error and its exit code.
struct CommandContext {
  const Args& args;
  Poco::Util::LayeredConfiguration& config;
  std::ostream& out;
  bool json;
};

}  // namespace charta::app
