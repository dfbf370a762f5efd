#include "app/cli.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "app/args.h"
#include "app/cli_ledger.h"
#include "app/cli_redline.h"
#include "app/config.h"
#include "app/serve.h"
#include "core/error.h"
#include "core/sha256.h"
#include "http/api.h"
#include "http/edition_json.h"
#include "repository/policy_repository.h"
#include "service/publishing.h"

namespace charta::app {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using repository::PolicyRepository;

// What every subcommand gets: its arguments, the configuration and the output streams.
struct Context {
  Args args;
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
  std::ostream& out;
  bool json;

  std::unique_ptr<PolicyRepository> openRepository() const {
    repository::RepositoryOptions opts;
    opts.branch = config->getString("repository.branch", "");
    opts.staleLockAge = std::chrono::seconds(config->getInt("repository.stale_lock_s"));
    opts.log = [](const std::string& line) { std::cerr << "charta: " << line << '\n'; };
    return PolicyRepository::open(config->getString("repository.path"), opts);
  }
  // A replica (repository.replica) follows the primary by git fetch; a tag made here would
  // diverge from it.
  void refuseOnReplica() const {
    if (config->getBool("repository.replica", false)) {
      throw InvalidInput(
          "this repository is a replica (repository.replica=true): publish and withdraw on the "
          "primary");
    }
  }
  std::optional<core::Person> publisher() const {
    if (auto as = args.option("as")) return parsePerson(*as);
    std::string name = config->getString("publisher.name", "");
    if (name.empty()) return std::nullopt;
    return core::Person{name, config->getString("publisher.email", "")};
  }
  static core::Person parsePerson(const std::string& text) {
    // "Name <email>" or "Name"
    auto lt = text.find('<');
    if (lt == std::string::npos) return core::Person{text, ""};
    auto gt = text.find('>', lt);
    if (gt == std::string::npos || gt + 1 != text.size()) {
      throw InvalidInput("--as wants \"Name <email>\"");
    }
    std::string name = text.substr(0, lt);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return core::Person{name, text.substr(lt + 1, gt - lt - 1)};
  }
};

struct Command {
  const char* usage;
  const char* summary;
  std::set<std::string> options;
  std::set<std::string> flags;
  std::function<int(Context&)> run;
};

void printJson(std::ostream& out, const Poco::Dynamic::Var& v) {
  if (v.type() == typeid(Object::Ptr)) {
    v.extract<Object::Ptr>()->stringify(out, 2);
  } else {
    v.extract<Array::Ptr>()->stringify(out, 2);
  }
  out << '\n';
}

core::DocumentId docArg(const Context& c, size_t i) {
  const std::string& raw = c.args.need(i, "document id");
  auto id = core::DocumentId::parse(raw);
  if (!id) throw InvalidInput("\"" + raw + "\" is not a document id (like personal-data)");
  return *id;
}

core::Instant timeOption(const Context& c, const std::string& name, core::Instant fallback) {
  auto v = c.args.option(name);
  if (!v) return fallback;
  auto t = core::parseRfc3339(*v);
  if (!t) {
    throw InvalidInput("--" + name + " \"" + *v +
                       "\" is not an RFC 3339 time with an offset, like 2026-12-01T00:00:00+05:00");
  }
  return *t;
}

const core::Document& documentAt(const PolicyRepository& repo, const core::Registry& reg,
                                 const core::DocumentId& id) {
  const core::Document* d = reg.document(id);
  if (!d) throw NotFound("no document \"" + id.str() + "\" in charta.xml at " + repo.head().str());
  return *d;
}

std::string when(core::Instant t, std::chrono::minutes offset) {
  return core::formatRfc3339(t, offset, false);
}

void printEditionLine(std::ostream& out, const core::Edition& e, const core::Timeline& tl,
                      core::Instant now) {
  out << e.doc.str() << ' ' << e.no.str() << "  " << core::statusName(tl.statusAt(e, now))
      << "  effective " << when(e.effectiveFrom, e.effectiveOffset) << "  published "
      << when(e.publishedAt, e.effectiveOffset) << "  " << e.commit.str().substr(0, 12);
  if (e.material) out << "  material";
  if (!e.renewPurposes.empty()) {
    out << " (renew:";
    for (const auto& p : e.renewPurposes) out << ' ' << p.str();
    out << ')';
  }
  if (e.withdrawal) out << "  withdrawn: " << e.withdrawal->reason;
  if (!e.summary.empty()) out << "  — " << e.summary;
  out << '\n';
}

int cmdInit(Context& c) {
  c.args.atMost(0);
  std::filesystem::path path = c.config->getString("repository.path");
  std::filesystem::path seed =
      c.args.option("from").value_or(c.config->getString("repository.seed"));
  bool bare = c.args.flag("worktree") ? false
              : c.args.flag("bare")   ? true
                                      : c.config->getBool("repository.bare", true);
  Object::Ptr result = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  std::unique_ptr<PolicyRepository> repo;
  bool created = false;
  try {
    repository::RepositoryOptions opts;
    opts.branch = c.config->getString("repository.branch", "");
    repo = PolicyRepository::open(path, opts);
  } catch (const repository::RepositoryError&) {
    if (std::filesystem::exists(path) && !std::filesystem::is_empty(path)) throw;
    repo =
        PolicyRepository::create(path, seed, bare, core::Person{"charta init", "charta@localhost"});
    created = true;
  }
  result->set("repository", std::filesystem::absolute(path).lexically_normal().string());
  result->set("created", created);
  Array::Ptr published = new Array;
  if (!c.args.flag("no-publish")) {
    core::Registry reg = repo->registry(repo->head());
    for (const auto& doc : reg.documents) {
      if (!repo->timeline(doc.id).empty()) continue;
      service::PublishRequest req{doc.id,       std::nullopt, std::nullopt, core::kKazakhstanOffset,
                                  false,        {},           "",           std::nullopt,
                                  c.publisher()};
      service::Publishing publishing(*repo, {});
      // The imported text is published as it is: lint errors in it (the seed's "7.1..") are
      // accepted with a recorded reason rather than refused; later editions are checked
      // against it.
      core::Edition e = [&] {
        try {
          return publishing.publish(req, core::now());
        } catch (const service::LintRefused&) {
          req.force = "imported as received";
          return publishing.publish(req, core::now());
        }
      }();
      published->add(http::editionJson(e, repo->timeline(doc.id), core::now()));
    }
  }
  result->set("published", published);
  if (c.json) {
    printJson(c.out, result);
  } else {
    c.out << (created ? "created " : "using ") << result->getValue<std::string>("repository")
          << '\n';
    for (size_t i = 0; i < published->size(); ++i) {
      auto e = published->getObject(static_cast<unsigned>(i));
      c.out << "published " << e->getValue<std::string>("document") << ' '
            << e->getValue<std::string>("edition") << ", in force from "
            << e->getValue<std::string>("effective_from") << '\n';
    }
  }
  return kOk;
}

int cmdLog(Context& c) {
  c.args.atMost(1);
  auto id = docArg(c, 0);
  auto repo = c.openRepository();
  core::Registry reg = repo->registry(repo->head());
  const core::Document& doc = documentAt(*repo, reg, id);
  core::Timeline tl = repo->timeline(id);
  std::map<std::string, std::vector<std::string>> published;
  for (const auto& e : tl.editions()) published[e.commit.str()].push_back(e.no.str());
  Array::Ptr arr = new Array;
  for (const auto& r : repo->revisions(doc)) {
    if (c.json) {
      Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      o->set("commit", r.commit.str());
      o->set("author", r.author.name);
      o->set("email", r.author.email);
      o->set("time", core::formatRfc3339(r.time, core::kKazakhstanOffset, false));
      o->set("message", r.message);
      Array::Ptr eds = new Array;
      for (const auto& n : published[r.commit.str()]) eds->add(n);
      o->set("editions", eds);
      arr->add(o);
    } else {
      c.out << r.commit.str().substr(0, 12) << "  "
            << core::formatRfc3339(r.time, core::kKazakhstanOffset, false) << "  " << r.author.name
            << "  " << r.subject();
      const auto& eds = published[r.commit.str()];
      if (eds.empty()) c.out << "  [draft]";
      for (const auto& n : eds) c.out << "  [" << n << ']';
      c.out << '\n';
    }
  }
  if (c.json) printJson(c.out, arr);
  return kOk;
}

int cmdEditions(Context& c) {
  c.args.atMost(1);
  auto id = docArg(c, 0);
  auto repo = c.openRepository();
  core::Timeline tl = repo->timeline(id);
  core::Instant now = core::now();
  if (c.json) {
    Array::Ptr arr = new Array;
    for (const auto& e : tl.editions()) arr->add(http::editionJson(e, tl, now));
    printJson(c.out, arr);
  } else {
    if (tl.empty()) c.out << "no editions of " << id.str() << " yet\n";
    for (const auto& e : tl.editions()) printEditionLine(c.out, e, tl, now);
  }
  return kOk;
}

int cmdShow(Context& c) {
  c.args.atMost(1);
  const std::string& spec = c.args.need(0, "document[@v<N>|@<commit>]");
  auto at = spec.find('@');
  auto id = core::DocumentId::parse(spec.substr(0, at));
  if (!id) throw InvalidInput("\"" + spec.substr(0, at) + "\" is not a document id");
  auto repo = c.openRepository();
  core::Timeline tl = repo->timeline(*id);
  core::CommitId commit = repo->head();
  std::string label = "draft " + commit.str().substr(0, 12);
  if (at != std::string::npos) {
    auto rev = core::RevisionSpec::parse(spec.substr(at + 1));
    if (!rev)
      throw InvalidInput("\"" + spec.substr(at + 1) + "\" is neither v<N> nor a 40-hex commit id");
    if (rev->edition) {
      const core::Edition* e = tl.edition(*rev->edition);
      if (!e) throw NotFound("no edition " + rev->edition->str() + " of " + id->str());
      commit = e->commit;
      label = e->no.str();
    } else {
      commit = *rev->commit;
      label = commit.str().substr(0, 12);
    }
  } else if (const core::Edition* e = tl.inForceAt(core::now())) {
    commit = e->commit;
    label = e->no.str();
  }
  core::Registry reg = repo->registry(commit);
  const core::Document* doc = reg.document(*id);
  if (!doc) throw NotFound("no document \"" + id->str() + "\" at " + commit.str());
  core::Lang lang = doc->controllingLang;
  if (auto l = c.args.option("lang")) {
    auto parsed = core::Lang::parse(*l);
    if (!parsed) throw InvalidInput("\"" + *l + "\" is not a language tag");
    lang = *parsed;
  }
  auto text = repo->text(*doc, commit, lang);
  if (!text) throw NotFound(id->str() + " has no text in " + lang.str() + " at " + label);
  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("document", id->str());
    o->set("revision", label);
    o->set("commit", commit.str());
    o->set("lang", lang.str());
    o->set("path", text->path);
    o->set("title", text->title.empty() ? doc->title : text->title);
    o->set("text_sha256", text->sha256);
    o->set("text", text->body());
    printJson(c.out, o);
  } else {
    c.out << text->body();
  }
  return kOk;
}

std::vector<core::PurposeId> purposeList(const std::string& text) {
  std::vector<core::PurposeId> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    auto p = core::PurposeId::parse(item);
    if (!p) throw InvalidInput("\"" + item + "\" is not a purpose id");
    out.push_back(*p);
  }
  return out;
}

int cmdPublish(Context& c) {
  c.args.atMost(1);
  service::PublishRequest req{docArg(c, 0),
                              std::nullopt,
                              std::nullopt,
                              core::kKazakhstanOffset,
                              c.args.flag("material"),
                              {},
                              c.args.option("summary").value_or(""),
                              c.args.option("force"),
                              c.publisher()};
  if (auto r = c.args.option("revision")) {
    auto commit = core::CommitId::parse(*r);
    if (!commit) throw InvalidInput("--revision wants a full 40-hex commit id, not \"" + *r + "\"");
    req.revision = commit;
  }
  if (auto t = c.args.option("effective-from")) {
    auto z = core::parseRfc3339Zoned(*t);
    if (!z) {
      throw InvalidInput(
          "--effective-from \"" + *t +
          "\" is not an RFC 3339 time with an offset, like 2026-12-01T00:00:00+05:00");
    }
    req.effectiveFrom = z->instant;
    req.effectiveOffset = z->offset;
  }
  if (auto p = c.args.option("renew-purposes")) req.renewPurposes = purposeList(*p);
  c.refuseOnReplica();
  auto repo = c.openRepository();
  service::PublishNotes notes;
  core::Edition e = service::Publishing(*repo, {}).publish(req, core::now(), &notes);
  core::Timeline tl = repo->timeline(e.doc);
  if (c.json) {
    Object::Ptr o = http::editionJson(e, tl, core::now());
    Array::Ptr warnings = new Array;
    for (const auto& w : notes.warnings) warnings->add(w);
    o->set("warnings", warnings);
    Array::Ptr suggested = new Array;
    for (const auto& p : notes.suggestedRenewPurposes) suggested->add(p.str());
    o->set("suggested_renew_purposes", suggested);
    printJson(c.out, o);
  } else {
    c.out << "published " << e.doc.str() << ' ' << e.no.str() << " ("
          << core::statusName(tl.statusAt(e, core::now())) << ", effective "
          << when(e.effectiveFrom, e.effectiveOffset) << ")\n";
    for (const auto& w : notes.warnings) std::cerr << "charta: warning: " << w << '\n';
  }
  return kOk;
}

int cmdWithdraw(Context& c) {
  c.args.atMost(2);
  auto id = docArg(c, 0);
  const std::string& n = c.args.need(1, "edition (v<N>)");
  auto no = core::EditionNo::parse(n);
  if (!no || n.front() != 'v') throw InvalidInput("\"" + n + "\" is not an edition like v2");
  auto reason = c.args.option("reason");
  if (!reason) throw InvalidInput("--reason is required: say why the edition is withdrawn");
  c.refuseOnReplica();
  auto repo = c.openRepository();
  core::Edition e =
      service::Publishing(*repo, {}).withdraw(id, *no, *reason, c.publisher(), core::now());
  if (c.json) {
    printJson(c.out, http::editionJson(e, repo->timeline(id), core::now()));
  } else {
    c.out << "withdrew " << id.str() << ' ' << no->str() << '\n';
  }
  return kOk;
}

int cmdInForce(Context& c) {
  c.args.atMost(1);
  auto id = docArg(c, 0);
  core::Instant now = core::now();
  core::Instant t = timeOption(c, "at", now);
  auto repo = c.openRepository();
  core::Timeline tl = repo->timeline(id);
  const core::Edition* e = tl.inForceAt(t);
  if (!e) {
    throw NotFound("no edition of " + id.str() + " is in force at " +
                   core::formatRfc3339(t, core::kKazakhstanOffset, false));
  }
  auto upcoming = tl.upcomingAt(t);
  auto next = tl.nextSwitchAfter(t);
  if (c.json) {
    Object::Ptr o = http::editionJson(*e, tl, now);
    o->set("at", core::formatRfc3339(t, core::kKazakhstanOffset, false));
    Array::Ptr up = new Array;
    for (const core::Edition* u : upcoming) up->add(http::editionJson(*u, tl, now));
    o->set("upcoming", up);
    if (next) {
      o->set("next_switch", core::formatRfc3339(*next, core::kKazakhstanOffset, false));
    } else {
      o->set("next_switch", Poco::Dynamic::Var());
    }
    printJson(c.out, o);
  } else {
    printEditionLine(c.out, *e, tl, t);
    for (const core::Edition* u : upcoming) {
      c.out << "upcoming: ";
      printEditionLine(c.out, *u, tl, t);
    }
  }
  return kOk;
}

int cmdToken(Context& c) {
  c.args.atMost(1);
  if (c.args.need(0, "\"new\"") != "new")
    throw InvalidInput("usage: charta token new --name N --roles R[+R]");
  auto name = c.args.option("name");
  auto roles = c.args.option("roles");
  if (!name || !roles) throw InvalidInput("--name and --roles are required");
  std::random_device rd;
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(rd() & 0xff);
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "charta_";
  for (unsigned char b : raw) token += kAlphabet[b & 63];
  std::string entry = *name + ":" + *roles + ":" + core::sha256Hex(token);
  http::TokenStore::parse(entry);  // refuses an unknown role or a bad name now, not at start
  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("token", token);
    o->set("config_entry", entry);
    printJson(c.out, o);
  } else {
    c.out << "token (give it to the client; it is not stored): " << token << '\n'
          << "auth.tokens entry: " << entry << '\n';
  }
  return kOk;
}

int cmdServe(Context& c) {
  c.args.atMost(0);
  return runServe(c.config);
}

int cmdBuildSite(Context& c) {
  c.args.atMost(0);
  auto out = c.args.option("out");
  if (!out) throw InvalidInput("--out DIR is required");
  return runBuildSite(c.config, *out, c.args.option("at").value_or(""), c.out);
}

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"init",
       {"charta init [--bare|--worktree] [--from DIR] [--no-publish]",
        "create the policy repository from policies/ if there is none; publish v1 of every "
        "document that has no edition yet",
        {"from", "as"},
        {"bare", "worktree", "no-publish"},
        cmdInit}},
      {"log",
       {"charta log <doc>",
        "list the revisions (commits) that change a document; drafts marked",
        {},
        {},
        cmdLog}},
      {"editions",
       {"charta editions <doc>",
        "list the published editions with their status",
        {},
        {},
        cmdEditions}},
      {"show",
       {"charta show <doc>[@v<N>|@<commit>] [--lang L]",
        "print a text: the edition in force, an edition, or a commit",
        {"lang"},
        {},
        cmdShow}},
      {"publish",
       {"charta publish <doc> [--revision COMMIT] [--effective-from T] [--material "
        "[--renew-purposes P,...]] [--summary S] [--force REASON] [--as \"Name <email>\"]",
        "publish the next edition (default: the branch tip, effective now)",
        {"revision", "effective-from", "renew-purposes", "summary", "force", "as"},
        {"material"},
        cmdPublish}},
      {"withdraw",
       {"charta withdraw <doc> v<N> --reason S [--as \"Name <email>\"]",
        "withdraw a scheduled edition before it takes effect",
        {"reason", "as"},
        {},
        cmdWithdraw}},
      // [commands] more subcommands: one entry each, implemented in their own cli_*.cpp files
      {"diff",
       {"charta diff <doc> <from> <to> [--lang L] [--color auto|always|never]",
        "what changed between two revisions (v<N> or commit), clause by clause, word by word",
        {"lang", "color"},
        {},
        [](Context& c) {
          return runDiffCommand({c.args, *c.config, c.out, c.json});
        }}},
      {"lint",
       {"charta lint <doc> [revision] [--effective-from T]",
        "the checks publishing runs: numbering, references, URL, purposes, dates, ... (exit 2 "
        "when an error would block publishing)",
        {"effective-from"},
        {},
        [](Context& c) {
          return runLintCommand({c.args, *c.config, c.out, c.json});
        }}},
      {"ledger",
       {"charta ledger verify [--json] | charta ledger export --subject S",
        "check the consent ledger's hash chain (exit 5 when broken); export one subject's events",
        {"subject"},
        {},
        [](Context& c) {
          return runLedgerCommand({c.args, *c.config, c.out, c.json});
        }}},
      {"token",
       {"charta token new --name NAME --roles site|legal|auditor[+...]",
        "make an API bearer token and the auth.tokens entry that holds its hash",
        {"name", "roles"},
        {},
        cmdToken}},
      {"serve",
       {"charta serve",
        "serve the site and the API (configuration: server.*, site.*, ledger.*)",
        {},
        {},
        cmdServe}},
      {"build-site",
       {"charta build-site --out DIR [--at T]",
        "write the public pages as served at T (default now) for a static host, with "
        "schedule.json",
        {"out", "at"},
        {},
        cmdBuildSite}},
      {"in-force",
       {"charta in-force <doc> [--at T]",
        "the edition in force now or at T (RFC 3339 with offset), and what is upcoming",
        {"at"},
        {},
        cmdInForce}},
  };
  return table;
}

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

}  // namespace

int runCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  std::string configFile;
  std::vector<std::string> defs;
  bool json = false;
  std::string repoPath;
  size_t i = 0;
  auto fail = [&](int code, const std::string& msg) {
    err << "charta: " << msg << '\n';
    return code;
  };
  try {
    // Global options come before the command.
    for (; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      auto value = [&](const std::string& name) -> std::string {
        if (a.size() > name.size() && a[name.size()] == '=') return a.substr(name.size() + 1);
        if (i + 1 >= argv.size()) throw InvalidInput(name + " needs a value");
        return argv[++i];
      };
      if (a == "--help" || a == "-h" || a == "help") {
        printHelp(out);
        return kOk;
      } else if (a == "--version") {
        out << "charta 0.1.0\n";
        return kOk;
      } else if (a == "--json") {
        json = true;
      } else if (a.rfind("--repo", 0) == 0 && (a.size() == 6 || a[6] == '=')) {
        repoPath = value("--repo");
      } else if (a.rfind("--config", 0) == 0 && (a.size() == 8 || a[8] == '=')) {
        configFile = value("--config");
      } else if (a == "-D") {
        if (i + 1 >= argv.size()) throw InvalidInput("-D needs key=value");
        defs.push_back(argv[++i]);
      } else if (a.rfind("-D", 0) == 0) {
        defs.push_back(a.substr(2));
      } else {
        break;
      }
    }
    if (i == argv.size()) {
      printHelp(err);
      return kInvalid;
    }
    const std::string name = argv[i];
    auto it = commands().find(name);
    if (it == commands().end())
      return fail(kInvalid, "unknown command \"" + name + "\" (see --help)");
    const Command& cmd = it->second;
    std::vector<std::string> rest(argv.begin() + static_cast<long>(i) + 1, argv.end());
    // --json, --repo and --help are accepted after the command too.
    std::vector<std::string> filtered;
    for (size_t k = 0; k < rest.size(); ++k) {
      if (rest[k] == "--help" || rest[k] == "-h") {
        out << "usage: " << cmd.usage << "\n\n" << cmd.summary << '\n';
        return kOk;
      } else if (rest[k] == "--json") {
        json = true;
      } else if (rest[k] == "--repo" && k + 1 < rest.size()) {
        repoPath = rest[++k];
      } else if (rest[k].rfind("--repo=", 0) == 0) {
        repoPath = rest[k].substr(7);
      } else {
        filtered.push_back(rest[k]);
      }
    }
    if (!repoPath.empty()) defs.push_back("repository.path=" + repoPath);
    Context ctx{Args(filtered, cmd.options, cmd.flags), loadConfig(configFile, defs), out, json};
    return cmd.run(ctx);
  } catch (const InvalidInput& e) {
    return fail(kInvalid, e.what());
  } catch (const Conflict& e) {
    return fail(kConflict, e.what());
  } catch (const NotFound& e) {
    return fail(kNotFound, e.what());
  } catch (const Unavailable& e) {
    return fail(kUnavailable, e.what());
  } catch (const Error& e) {
    return fail(kFailure, e.what());
  } catch (const Poco::Exception& e) {
    return fail(kFailure, e.displayText());
  } catch (const std::exception& e) {
    return fail(kFailure, e.what());
  }
}

}  // namespace charta::app
