// charta protect | hook pre-receive: the record of editions protected where it lives.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "app/commands.h"
#include "app/open.h"
#include "core/error.h"
#include "repository/push_check.h"

namespace charta::app {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::chrono::seconds clockSkew(const Poco::Util::AbstractConfiguration& config) {
  const int skew = config.getInt("publishing.clock_skew_s", 5);
  if (skew < 0 || skew > 3600) {
    throw InvalidInput("publishing.clock_skew_s must be 0-3600 seconds");
  }
  return std::chrono::seconds(skew);
}

}  // namespace

repository::Protection protectRepository(repository::PolicyRepository& repo,
                                         const Poco::Util::AbstractConfiguration& config) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot tell where the charta binary is: " + ec.message());
  return repo.protect(
      self, {"-D", "publishing.clock_skew_s=" + std::to_string(clockSkew(config).count())});
}

int runProtect(const CommandContext& c) {
  c.args.atMost(0);
  auto repo = openRepository(
      c.config, [](const std::string& line) { std::cerr << "charta: " << line << '\n'; });
  repository::Protection p = protectRepository(*repo, c.config);
  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("repository", repo->path().string());
    o->set("hook", p.hook.string());
    o->set("chained", p.chained ? Poco::Dynamic::Var(p.chained->string()) : Poco::Dynamic::Var());
    Array::Ptr done = new Array;
    for (const auto& line : p.done) done->add(line);
    o->set("done", done);
    c.printJson(o);
    return kOk;
  }
  for (const auto& line : p.done) c.out << line << '\n';
  return kOk;
}

int runHook(const CommandContext& c) {
  c.args.atMost(1);
  if (c.args.need(0, "hook name (pre-receive)") != "pre-receive") {
    throw InvalidInput(
        "usage: charta hook pre-receive (run by git, with the ref updates on stdin)");
  }
  signal(SIGPIPE, SIG_IGN);  // a git child that dies must not kill the hook silently
  const repository::PushRules rules{core::now(), clockSkew(c.config)};
  std::vector<repository::RefUpdate> updates;
  for (std::string line; std::getline(std::cin, line);) {
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    auto update = repository::RefUpdate::parse(line);
    if (!update) throw InvalidInput("not a ref update: \"" + line + "\"");
    updates.push_back(std::move(*update));
  }
  std::vector<repository::PushRefusal> refused;
  try {
    refused = repository::judgePush(updates, rules);
  } catch (const std::exception& e) {
    throw Error(std::string("this push cannot be checked, so it is refused: ") + e.what());
  }
  // One line per refused ref: git shows each to the pusher as "remote: charta: ...".
  for (const auto& r : refused) std::cerr << "charta: " << r.ref << ": " << r.reason << '\n';
  return refused.empty() ? kOk : kInvalid;
}

}  // namespace charta::app
