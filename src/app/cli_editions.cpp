// charta init | editions | in-force | publish | withdraw
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/open.h"
#include "app/record.h"
#include "core/error.h"
#include "service/errors.h"
#include "service/publications.h"
#include "service/views.h"

namespace charta::app {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

void logToStderr(const std::string& line) { std::cerr << "charta: " << line << '\n'; }

std::string when(core::Instant t, std::chrono::minutes offset) {
  return core::formatRfc3339(t, offset, false);
}

void printEditionLine(std::ostream& out, const core::Edition& e, const core::Timeline& tl,
                      core::Instant now) {
  out << e.doc.str() << ' ' << e.no.str() << "  " << core::statusName(tl.statusAt(e, now))
      << "  effective " << when(e.effectiveFrom, e.effectiveOffset) << "  published "
      << when(e.publishedAt, e.effectiveOffset) << "  " << e.commit.str().substr(0, 12);
  if (e.material) out << "  material";
  if (e.imported) out << "  imported";
  if (!e.renewPurposes.empty()) {
    out << " (renew:";
    for (const auto& p : e.renewPurposes) out << ' ' << p.str();
    out << ')';
  }
  if (e.withdrawal) out << "  withdrawn: " << e.withdrawal->reason;
  if (!e.summary.empty()) out << "  — " << e.summary;
  out << '\n';
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

service::PublishCommand publishCommand(const CommandContext& c) {
  service::PublishCommand cmd{service::PublishRequest{c.doc(0),
                                                      std::nullopt,
                                                      std::nullopt,
                                                      core::kKazakhstanOffset,
                                                      c.args.flag("material"),
                                                      {},
                                                      c.args.option("summary").value_or(""),
                                                      c.args.option("force"),
                                                      c.publisher()},
                              std::nullopt};
  if (auto r = c.args.option("revision")) {
    auto commit = core::CommitId::parse(*r);
    if (!commit) throw InvalidInput("--revision wants a full 40-hex commit id, not \"" + *r + "\"");
    cmd.revision = core::RevisionSpec{std::nullopt, commit};
  }
  if (auto t = c.time("effective-from")) {
    cmd.request.effectiveFrom = t->instant;
    cmd.request.effectiveOffset = t->offset;
  }
  if (auto p = c.args.option("renew-purposes")) cmd.request.renewPurposes = purposeList(*p);
  return cmd;
}

// Chains "written" in the ledger (observed via cli) and anchors it, now. The edition is published
// whatever happens here: a ledger out of reach leaves the chaining to the server, which chains
// every edition it finds before serving it.
void recordWritten(const CommandContext& c, repository::PolicyRepository& repo,
                   const core::Edition& written) {
  try {
    auto ledger = openLedger(c.config, 1);
    Record record(c.config, repo, *ledger);
    const core::Timeline timeline = repo.timeline(written.doc);
    const core::Edition* e = timeline.edition(written.no);
    record.chain.record(e ? *e : written, "cli");
    service::AnchorResult r = record.anchoring.anchor(core::now());
    if (!r.warning.empty()) std::cerr << "charta: warning: " << r.warning << '\n';
  } catch (const std::exception& ex) {
    std::cerr << "charta: warning: not recorded in the consent ledger now (the server records it "
                 "when it sees the edition): "
              << ex.what() << '\n';
  }
}

}  // namespace

int runInit(const CommandContext& c) {
  c.args.atMost(0);
  std::string seed = c.args.option("from").value_or(c.config.getString("repository.seed"));
  bool bare = c.args.flag("worktree") ? false
              : c.args.flag("bare")   ? true
                                      : c.config.getBool("repository.bare", true);
  bool created = false;
  auto repo = openOrCreateRepository(c.config, seed, bare, logToStderr, created);
  repository::Protection protection = protectRepository(*repo, c.config);
  std::vector<service::Published> published;
  if (!c.args.flag("no-publish")) {
    service::Publishing publishing(*repo, publishingOptions(c.config));
    service::Publications publications(publishing, *repo);
    published = publications.publishFirstEditions(c.publisher(), core::now());
  }
  std::string path =
      std::filesystem::absolute(c.config.getString("repository.path")).lexically_normal().string();
  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("repository", path);
    o->set("created", created);
    Array::Ptr editions = new Array;
    for (const auto& p : published) {
      editions->add(service::editionJson(p.edition, p.timeline, core::now()));
    }
    o->set("published", editions);
    o->set("hook", protection.hook.string());
    c.printJson(o);
    return kOk;
  }
  c.out << (created ? "created " : "using ") << path << '\n';
  c.out << "protected: receive.denyDeletes, receive.denyNonFastForwards, "
        << protection.hook.string() << '\n';
  for (const auto& p : published) {
    c.out << "published " << p.edition.doc.str() << ' ' << p.edition.no.str() << ", in force from "
          << when(p.edition.effectiveFrom, p.edition.effectiveOffset) << '\n';
  }
  return kOk;
}

int runEditions(const CommandContext& c) {
  c.args.atMost(1);
  auto id = c.doc(0);
  repository::DocumentEditions eds = openRepository(c.config, logToStderr)->editions(id);
  const core::Timeline& tl = eds.timeline;
  core::Instant now = core::now();
  // The tags that are not editions, never served: one warning line each.
  for (const auto& p : eds.problems) {
    std::cerr << "charta: warning: " << p.ref << " is not an edition: " << p.reason << '\n';
  }
  if (c.json) {
    Array::Ptr arr = new Array;
    for (const auto& e : tl.editions()) arr->add(service::editionJson(e, tl, now));
    c.printJson(arr);
    return kOk;
  }
  if (tl.empty()) c.out << "no editions of " << id.str() << " yet\n";
  for (const auto& e : tl.editions()) printEditionLine(c.out, e, tl, now);
  return kOk;
}

int runInForce(const CommandContext& c) {
  c.args.atMost(1);
  auto id = c.doc(0);
  core::Instant now = core::now();
  auto at = c.time("at");
  core::Instant t = at ? at->instant : now;
  core::Timeline tl = openRepository(c.config, logToStderr)->timeline(id);
  const core::Edition* e = tl.inForceAt(t);
  if (!e) {
    throw service::Failure(
        service::Fault::kNotInForce,
        "no edition of " + id.str() + " is in force at " + when(t, core::kKazakhstanOffset));
  }
  if (c.json) {
    c.printJson(service::inForceJson(*e, tl, t, now));
    return kOk;
  }
  printEditionLine(c.out, *e, tl, t);
  for (const core::Edition* u : tl.upcomingAt(t)) {
    c.out << "upcoming: ";
    printEditionLine(c.out, *u, tl, t);
  }
  return kOk;
}

int runPublish(const CommandContext& c) {
  c.args.atMost(1);
  service::PublishCommand cmd = publishCommand(c);
  auto repo = openRepository(c.config, logToStderr);
  service::Publishing publishing(*repo, publishingOptions(c.config));
  service::Publications publications(publishing, *repo);
  publications.onWritten([&](const core::Edition& e) { recordWritten(c, *repo, e); });
  service::Published p = publications.publish(std::move(cmd), core::now());
  core::Instant now = core::now();
  if (c.json) {
    c.printJson(service::publicationJson(p.edition, p.timeline, p.notes, now));
    return kOk;
  }
  c.out << "published " << p.edition.doc.str() << ' ' << p.edition.no.str() << " ("
        << core::statusName(p.timeline.statusAt(p.edition, now)) << ", effective "
        << when(p.edition.effectiveFrom, p.edition.effectiveOffset) << ")\n";
  for (const auto& w : p.notes.warnings) std::cerr << "charta: warning: " << w << '\n';
  return kOk;
}

int runWithdraw(const CommandContext& c) {
  c.args.atMost(2);
  auto id = c.doc(0);
  const std::string& n = c.args.need(1, "edition (v<N>)");
  auto no = core::EditionNo::parse(n);
  if (!no || n.front() != 'v') throw InvalidInput("\"" + n + "\" is not an edition like v2");
  auto reason = c.args.option("reason");
  if (!reason) throw InvalidInput("--reason is required: say why the edition is withdrawn");
  auto repo = openRepository(c.config, logToStderr);
  service::Publishing publishing(*repo, publishingOptions(c.config));
  service::Publications publications(publishing, *repo);
  publications.onWritten([&](const core::Edition& e) { recordWritten(c, *repo, e); });
  service::Published p = publications.withdraw(id, *no, *reason, c.publisher());
  if (c.json) {
    c.printJson(service::editionJson(p.edition, p.timeline, core::now()));
  } else {
    c.out << "withdrew " << id.str() << ' ' << no->str() << '\n';
  }
  return kOk;
}

}  // namespace charta::app
