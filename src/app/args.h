#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace charta::app {

// Command-line arguments of one subcommand: "--name value", "--name=value", flags, positionals.
// Options and flags are declared, so a typo is a usage error rather than silently ignored.
class Args {
 public:
  // throws InvalidInput: an undeclared option, an option without its value, a repeated option.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& options,
       const std::set<std::string>& flags);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // The positional at "i"; throws InvalidInput naming "what" when it is missing.
  const std::string& need(size_t i, const std::string& what) const;
  // throws InvalidInput when there are more than "n" positionals.
  void atMost(size_t n) const;

 private:
  std::map<std::string, std::string> options_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace charta::app
