#include "app/cli.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <iostream>

#include "app/commands.h"
#include "app/config.h"
#include "core/error.h"

namespace charta::app {

core::DocumentId CommandContext::doc(size_t i) const {
  const std::string& raw = args.need(i, "document id");
  auto id = core::DocumentId::parse(raw);
  if (!id) throw InvalidInput("\"" + raw + "\" is not a document id (like personal-data)");
  return *id;
}

std::optional<core::ZonedInstant> CommandContext::time(const std::string& name) const {
  auto v = args.option(name);
  if (!v) return std::nullopt;
  auto t = core::parseRfc3339Zoned(*v);
  if (!t) {
    throw InvalidInput("--" + name + " \"" + *v +
                       "\" is not an RFC 3339 time with an offset, like 2026-12-01T00:00:00+05:00");
  }
  return t;
}

std::optional<core::Person> CommandContext::publisher() const {
  if (auto as = args.option("as")) {
    // "Name <email>" or "Name"
    auto lt = as->find('<');
    if (lt == std::string::npos) return core::Person{*as, ""};
    auto gt = as->find('>', lt);
    if (gt == std::string::npos || gt + 1 != as->size()) {
      throw InvalidInput("--as wants \"Name <email>\"");
    }
    std::string name = as->substr(0, lt);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return core::Person{name, as->substr(lt + 1, gt - lt - 1)};
  }
  std::string name = config.getString("publisher.name", "");
  if (name.empty()) return std::nullopt;
  return core::Person{name, config.getString("publisher.email", "")};
}

void CommandContext::printJson(const Poco::Dynamic::Var& v) const {
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    v.extract<Poco::JSON::Object::Ptr>()->stringify(out, 2);
  } else {
    v.extract<Poco::JSON::Array::Ptr>()->stringify(out, 2);
  }
  out << '\n';
}

namespace {

// The table of subcommands: what `charta --help` lists.
const std::map<std::string, Command> kCommands = {
    {"init",
     {"charta init [--bare|--worktree] [--from DIR] [--no-publish]",
      "create the policy repository from policies/ if there is none, protect it (as charta "
      "protect); publish v1 of every document that has no edition yet",
      {"from", "as"},
      {"bare", "worktree", "no-publish"},
      runInit}},
    {"protect",
     {"charta protect",
      "protect the record of editions where it lives: receive.denyDeletes, "
      "receive.denyNonFastForwards and a pre-receive hook (for a repository adopted from "
      "elsewhere; charta init does it too; run it again when the charta binary moves)",
      {},
      {},
      runProtect}},
    {"hook",
     {"charta hook pre-receive",
      "run by git's pre-receive hook (installed by charta protect) with the pushed ref updates on "
      "stdin: refuses, one line per ref, what would delete, move or forge an edition",
      {},
      {},
      runHook}},
    {"log",
     {"charta log <doc> [--all]",
      "list the revisions that change a document: first-parent commits that change its texts "
      "(following renames) or its entry in charta.xml, and every edition; drafts marked (--all: "
      "every commit of the branch)",
      {},
      {"all"},
      runLog}},
    {"import",
     {"charta import <doc> [--dates FILE] [--since COMMIT] [--as \"Name <email>\"]",
      "import the history kept in git before charta: each first-parent revision that changed the "
      "text becomes an imported edition, effective at its date in FILE (\"<commit> <RFC 3339>\" "
      "lines) or its author time; only before the document's first edition",
      {"dates", "since", "as"},
      {},
      runImport}},
    {"editions",
     {"charta editions <doc>",
      "list the published editions with their status",
      {},
      {},
      runEditions}},
    {"show",
     {"charta show <doc>[@v<N>|@<commit>] [--lang L]",
      "print a text: the edition in force, an edition, or a commit",
      {"lang"},
      {},
      runShow}},
    {"publish",
     {"charta publish <doc> [--revision COMMIT] [--effective-from T] [--material "
      "[--renew-purposes P,...]] [--summary S] [--force REASON] [--as \"Name <email>\"]",
      "publish the next edition (default: the branch tip, effective now)",
      {"revision", "effective-from", "renew-purposes", "summary", "force", "as"},
      {"material"},
      runPublish}},
    {"withdraw",
     {"charta withdraw <doc> v<N> --reason S [--as \"Name <email>\"]",
      "withdraw a scheduled edition before it takes effect",
      {"reason", "as"},
      {},
      runWithdraw}},
    {"diff",
     {"charta diff <doc> <from> <to> [--lang L] [--color auto|always|never]",
      "what changed between two revisions (v<N> or commit), clause by clause, word by word",
      {"lang", "color"},
      {},
      runDiff}},
    {"lint",
     {"charta lint <doc> [revision] [--effective-from T]",
      "the checks publishing runs: numbering, references, URL, purposes, dates, ... (exit 2 "
      "when an error would block publishing)",
      {"effective-from"},
      {},
      runLint}},
    {"approve",
     {"charta approve <doc> <revision> [--as \"Name <email>\"]",
      "record an approval of that exact revision (charta.xml approvals=\"N\" asks for N)",
      {"as"},
      {},
      runApprove}},
    {"preview",
     {"charta preview <doc> [revision] --out DIR [--serve [--port P]] [--effective-from T] "
      "[--material] [--summary S]",
      "the draft as it would be served if published now, its redline and lint, as a static site",
      {"out", "port", "effective-from", "summary"},
      {"serve", "material"},
      runPreview}},
    {"ledger",
     {"charta ledger verify [--since-anchor] [--json] | charta ledger anchor | "
      "charta ledger export --subject S | charta ledger erase --subject S --reason R",
      "check the consent ledger, its anchors in git and the record of editions (exit 5 when "
      "anything is wrong); anchor it in git now; export one subject's events; erase a subject",
      {"subject", "reason", "as"},
      {"since-anchor"},
      runLedger}},
    {"evidence",
     {"charta evidence RECORD_ID --out DIR",
      "write the evidence bundle of one consent event into DIR: the receipt, the chained events "
      "with their inclusion proofs, the anchor, the edition's git objects and page, VERIFY.md and "
      "verify.sh, which checks it all without charta",
      {"out"},
      {},
      runEvidence}},
    {"token",
     {"charta token new --name NAME --roles site|legal|auditor[+...]",
      "make an API bearer token and the auth.tokens entry that holds its hash",
      {"name", "roles"},
      {},
      runToken}},
    {"serve",
     {"charta serve",
      "serve the site and the API (configuration: server.*, site.*, ledger.*)",
      {},
      {},
      runServeCommand}},
    {"build-site",
     {"charta build-site --out DIR [--at T]",
      "write the public pages as served at T (default now) for a static host, with "
      "schedule.json",
      {"out", "at"},
      {},
      runBuildSite}},
    {"in-force",
     {"charta in-force <doc> [--at T]",
      "the edition in force now or at T (RFC 3339 with offset), and what is upcoming",
      {"at"},
      {},
      runInForce}},
};

}  // namespace

const std::map<std::string, Command>& commands() { return kCommands; }

namespace {

void printHelp(std::ostream& out) {
  out << "charta — policy document versioning and publication\n\n"
         "usage: charta [--repo PATH] [--config FILE] [-D key=value]... [--json] <command> ...\n\n"
         "commands:\n";
  for (const auto& [name, cmd] : commands()) {
    out << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << cmd.summary
        << '\n';
  }
  out << "\nRun `charta <command> --help` for its options. Exit codes: 0 ok, 1 failure, 2 invalid "
         "input, 3 conflict, 4 not found.\n";
}

// The options before the command; "i" ends at the command's name.
struct Globals {
  std::string configFile;
  std::vector<std::string> defs;
  bool json = false;
  std::string repoPath;
  bool help = false;
  bool version = false;
};

Globals globalOptions(const std::vector<std::string>& argv, size_t& i) {
  Globals g;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](const std::string& name) -> std::string {
      if (a.size() > name.size() && a[name.size()] == '=') return a.substr(name.size() + 1);
      if (i + 1 >= argv.size()) throw InvalidInput(name + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h" || a == "help") {
      g.help = true;
      return g;
    } else if (a == "--version") {
      g.version = true;
      return g;
    } else if (a == "--json") {
      g.json = true;
    } else if (a.rfind("--repo", 0) == 0 && (a.size() == 6 || a[6] == '=')) {
      g.repoPath = value("--repo");
    } else if (a.rfind("--config", 0) == 0 && (a.size() == 8 || a[8] == '=')) {
      g.configFile = value("--config");
    } else if (a == "-D") {
      if (i + 1 >= argv.size()) throw InvalidInput("-D needs key=value");
      g.defs.push_back(argv[++i]);
    } else if (a.rfind("-D", 0) == 0) {
      g.defs.push_back(a.substr(2));
    } else {
      break;
    }
  }
  return g;
}

// The command's arguments; --json, --repo and --help are accepted after the command too.
std::vector<std::string> commandArgs(const std::vector<std::string>& rest, Globals& g) {
  std::vector<std::string> filtered;
  for (size_t k = 0; k < rest.size(); ++k) {
    if (rest[k] == "--help" || rest[k] == "-h") {
      g.help = true;
    } else if (rest[k] == "--json") {
      g.json = true;
    } else if (rest[k] == "--repo" && k + 1 < rest.size()) {
      g.repoPath = rest[++k];
    } else if (rest[k].rfind("--repo=", 0) == 0) {
      g.repoPath = rest[k].substr(7);
    } else {
      filtered.push_back(rest[k]);
    }
  }
  return filtered;
}

int dispatch(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  size_t i = 0;
  Globals g = globalOptions(argv, i);
  if (g.help) {
    printHelp(out);
    return kOk;
  }
  if (g.version) {
    out << "charta 0.1.0\n";
    return kOk;
  }
  if (i == argv.size()) {
    printHelp(err);
    return kInvalid;
  }
  auto it = commands().find(argv[i]);
  if (it == commands().end()) {
    throw InvalidInput("unknown command \"" + argv[i] + "\" (see --help)");
  }
  const Command& cmd = it->second;
  std::vector<std::string> args =
      commandArgs({argv.begin() + static_cast<long>(i) + 1, argv.end()}, g);
  if (g.help) {
    out << "usage: " << cmd.usage << "\n\n" << cmd.summary << '\n';
    return kOk;
  }
  if (!g.repoPath.empty()) g.defs.push_back("repository.path=" + g.repoPath);
  Args parsed(args, cmd.options, cmd.flags);
  auto config = loadConfig(g.configFile, g.defs);
  return cmd.run(CommandContext{parsed, *config, out, g.json});
}

}  // namespace

int runCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  try {
    return dispatch(argv, out, err);
  } catch (const Poco::Exception& e) {
    err << "charta: " << e.displayText() << '\n';
    return kFailure;
  } catch (const std::exception& e) {
    err << "charta: " << e.what() << '\n';
    return exitCodeOf(e);
  }
}

}  // namespace charta::app
