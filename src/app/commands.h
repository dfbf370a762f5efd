#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "app/args.h"
#include "app/exit_codes.h"
#include "core/edition.h"
#include "core/ids.h"
#include "core/time.h"
#include "repository/policy_repository.h"

// The subcommands of `charta`. Each one parses its arguments, calls one service function and
// prints the result: a line of text, or with --json the view of service/views.h that the API sends
// for the same thing. Failures are thrown; runCli prints them as one line and exits with their
// code (app/exit_codes.h).
namespace charta::app {

// What every subcommand gets: its arguments, the configuration and the output stream.
struct CommandContext {
  const Args& args;
  Poco::Util::LayeredConfiguration& config;
  std::ostream& out;
  bool json;

  // Positional "i" as a document id. throws InvalidInput.
  core::DocumentId doc(size_t i) const;
  // Option "name" as an RFC 3339 time with an offset; nullopt when absent. throws InvalidInput.
  std::optional<core::ZonedInstant> time(const std::string& name) const;
  // Who publishes: --as "Name <email>", else publisher.name/.email (nullopt: git's user).
  std::optional<core::Person> publisher() const;
  // Prints "value" (an object or an array) as indented JSON and a new line.
  void printJson(const Poco::Dynamic::Var& value) const;
};

struct Command {
  const char* usage;
  const char* summary;
  std::set<std::string> options;
  std::set<std::string> flags;
  std::function<int(const CommandContext&)> run;
};

// Every subcommand by name (cli.cpp).
const std::map<std::string, Command>& commands();

// The editions: cli_editions.cpp.
int runInit(const CommandContext& c);
int runEditions(const CommandContext& c);
int runInForce(const CommandContext& c);
int runPublish(const CommandContext& c);
int runWithdraw(const CommandContext& c);

// The history before charta: cli_import.cpp.
int runImport(const CommandContext& c);

// The texts and their history: cli_texts.cpp.
int runLog(const CommandContext& c);
int runShow(const CommandContext& c);
int runDiff(const CommandContext& c);
int runLint(const CommandContext& c);

// The review before publishing: cli_review.cpp.
int runApprove(const CommandContext& c);
int runPreview(const CommandContext& c);

// The consent ledger: cli_ledger.cpp.
int runLedger(const CommandContext& c);

// The evidence bundle of one consent: cli_evidence.cpp.
int runEvidence(const CommandContext& c);

// The record of editions protected where it lives: cli_record.cpp.
int runProtect(const CommandContext& c);
int runHook(const CommandContext& c);
// Sets receive.denyDeletes and receive.denyNonFastForwards in "repo" and installs the pre-receive
// hook that runs this binary (`charta init` and `charta protect`).
repository::Protection protectRepository(repository::PolicyRepository& repo,
                                         const Poco::Util::AbstractConfiguration& config);

// The server, the static site and the API's tokens: cli_server.cpp.
int runServeCommand(const CommandContext& c);
int runBuildSite(const CommandContext& c);
int runToken(const CommandContext& c);

}  // namespace charta::app
