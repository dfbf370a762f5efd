#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <string>
#include <vector>

namespace charta::app {

// One configuration key with its default and what it means; the table is the documentation.
struct ConfigKey {
  const char* key;
  std::string defaultValue;
  const char* help;
};

// Every key charta reads, with its default.
const std::vector<ConfigKey>& configKeys();

// The environment variable of "key": CHARTA_ + upper case, dots as underscores
// ("server.port" -> CHARTA_SERVER_PORT).
std::string envName(const std::string& key);

// Builds the configuration, highest precedence first: "-D key=value" definitions, environment
// variables of the known keys, the configuration file ("file": .ini or .properties; empty: the
// CHARTA_CONFIG variable, else ./charta.ini if it exists), then the defaults.
// throws InvalidInput: a definition is not key=value, or the file cannot be read.
Poco::AutoPtr<Poco::Util::LayeredConfiguration> loadConfig(
    const std::string& file, const std::vector<std::string>& definitions);

}  // namespace charta::app
