#include "app/args.h"

#include "core/error.h"

namespace charta::app {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& options,
           const std::set<std::string>& flags) {
  bool onlyPositionals = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (onlyPositionals || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      onlyPositionals = true;
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> inlineValue;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.resize(eq);
    }
    if (options.count(name)) {
      if (options_.count(name)) throw InvalidInput("option --" + name + " is given twice");
      if (inlineValue) {
        options_[name] = *inlineValue;
      } else if (i + 1 < argv.size()) {
        options_[name] = argv[++i];
      } else {
        throw InvalidInput("option --" + name + " needs a value");
      }
    } else if (flags.count(name) && !inlineValue) {
      flags_.insert(name);
    } else {
      throw InvalidInput("unknown option " + a.substr(0, a.find('=')) + " (see --help)");
    }
  }
}

std::optional<std::string> Args::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

const std::string& Args::need(size_t i, const std::string& what) const {
  if (i >= positional_.size()) throw InvalidInput("missing " + what + " (see --help)");
  return positional_[i];
}

void Args::atMost(size_t n) const {
  if (positional_.size() > n) {
    throw InvalidInput("unexpected argument \"" + positional_[n] + "\" (see --help)");
  }
}

}  // namespace charta::app
