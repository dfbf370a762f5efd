// charta ledger verify [--since-anchor] [--json] | charta ledger anchor [--json] |
// charta ledger export --subject S | charta ledger erase --subject S --reason R [--json]
//
// verify re-reads the consent ledger (ledger.uri) and checks its hash chain and Merkle tree, every
// anchor of it in refs/charta/anchors of the policy repository (each against the log and the one
// before it, their time-stamp tokens), and the record of editions in git against the chain: a
// summary line, and one line per finding ("seq 12 changed <id>: ..."); exit 5 when anything is
// wrong. anchor commits the ledger's tree head to refs/charta/anchors now. export prints, as JSON,
// everything the ledger holds about one subject (the receipts of its events, oldest first). erase
// destroys what links the subject's events to it and chains a subject.erased event.
#include <cstdlib>
#include <iostream>

#include "app/commands.h"
#include "app/open.h"
#include "app/record.h"
#include "core/consent.h"
#include "core/error.h"
#include "service/evidence.h"
#include "service/views.h"

namespace charta::app {

namespace {

void printFindings(const CommandContext& c, const service::AuditReport& rep) {
  for (const auto& f : rep.findings) {
    c.out << "seq " << f.seq << ' ' << f.kind;
    if (!f.id.empty()) c.out << ' ' << f.id;
    c.out << ": " << f.detail << '\n';
  }
}

int verify(const CommandContext& c) {
  c.args.atMost(1);
  if (c.args.option("subject")) throw InvalidInput("`charta ledger verify` takes no --subject");
  auto ledger = openLedger(c.config, 1);
  // The anchors and the record of editions when the policy repository can be opened; the log
  // alone otherwise (said in the summary).
  std::unique_ptr<repository::PolicyRepository> repo;
  std::unique_ptr<Record> record;
  try {
    repo = openRepository(c.config, {});
    record = std::make_unique<Record>(c.config, *repo, *ledger);
  } catch (const std::exception& e) {
    std::cerr << "charta: warning: the policy repository cannot be read (" << e.what()
              << "): its anchors and editions are not checked\n";
  }
  service::Audit logOnly(*ledger, nullptr, nullptr, "");
  service::AuditReport rep = (record ? record->audit : logOnly).verify(c.args.flag("since-anchor"));
  const int code = rep.ok() ? kOk : kLedgerBroken;
  if (c.json) {
    c.printJson(service::auditReportJson(rep, ledger->backend()));
    return code;
  }
  printFindings(c, rep);
  const std::string anchors =
      rep.repositoryChecked
          ? ", " + std::to_string(rep.anchors) + " anchor" + (rep.anchors == 1 ? "" : "s") +
                (rep.timestamps ? " (" + std::to_string(rep.timestamps) + " time-stamped)" : "") +
                (rep.foreignAnchors ? "; " + std::to_string(rep.foreignAnchors) +
                                          " anchors of other ledgers ignored"
                                    : "")
          : ", anchors not checked";
  if (rep.ok()) {
    c.out << "ledger ok: " << rep.log.checked << " events"
          << (rep.sinceAnchor ? " since seq " + std::to_string(rep.log.fromSeq) : "")
          << ", head seq " << rep.log.headSeq << " hash " << rep.log.headHash << ", root "
          << rep.log.root << anchors << '\n';
  } else {
    c.out << "ledger BROKEN: " << rep.findings.size() << " finding"
          << (rep.findings.size() == 1 ? "" : "s") << " in " << rep.log.checked
          << " events (head seq " << rep.log.headSeq << ")" << anchors << '\n';
  }
  return code;
}

int anchor(const CommandContext& c) {
  c.args.atMost(1);
  auto ledger = openLedger(c.config, 1);
  auto repo = openRepository(c.config, {});
  Record record(c.config, *repo, *ledger);
  service::AnchorResult r = record.anchoring.anchor(core::now());
  if (!r.warning.empty()) std::cerr << "charta: warning: " << r.warning << '\n';
  using Outcome = service::AnchorResult::Outcome;
  if (r.outcome == Outcome::kReplica) {
    throw InvalidInput(
        "this is a replica (repository.replica): anchors are written on the primary");
  }
  if (c.json) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("written", r.outcome == Outcome::kWritten);
    o->set("ref", std::string(repository::kAnchorsRef));
    o->set("commit", r.commit.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.commit));
    o->set("tree_size", static_cast<Poco::UInt64>(r.statement.treeSize));
    o->set("root", r.statement.root);
    o->set("timestamped", r.timestamped);
    c.printJson(o);
    return kOk;
  }
  if (r.outcome == Outcome::kEmpty) {
    c.out << "nothing to anchor: the ledger has no event yet\n";
  } else {
    c.out << (r.outcome == Outcome::kWritten ? "anchored " : "already anchored ")
          << r.statement.treeSize << " events, root " << r.statement.root << ", at " << r.commit
          << (r.timestamped ? " (time-stamped)" : "") << '\n';
  }
  return kOk;
}

std::string subjectOption(const CommandContext& c) {
  auto subject = c.args.option("subject");
  if (!subject) throw InvalidInput("--subject S is required");
  if (!core::isValidSubject(*subject)) {
    throw InvalidInput("--subject must be 1-128 bytes of UTF-8 without control characters");
  }
  return *subject;
}

int exportSubject(const CommandContext& c) {
  c.args.atMost(1);
  const std::string subject = subjectOption(c);
  auto ledger = openLedger(c.config, 1);
  // The editions' URLs when the policy repository can be read; the export is complete without.
  std::unique_ptr<repository::PolicyRepository> repo;
  std::unique_ptr<service::Catalog> catalog;
  try {
    repo = openRepository(c.config, {});
    catalog = std::make_unique<service::Catalog>(*repo, catalogOptions(c.config));
    catalog->refresh();
  } catch (const std::exception&) {
    catalog.reset();
  }
  service::Evidence evidence(*ledger, catalog.get());
  auto events = evidence.events(subject, std::nullopt);
  c.printJson(service::subjectExport(subject, events, core::now(), evidence.receiptOptions()));
  return kOk;
}

// Who erases from the command line: --as's name, publisher.name, else the login name.
std::string eraser(const CommandContext& c) {
  if (auto p = c.publisher(); p && !p->name.empty()) return p->name.substr(0, 128);
  const char* user = std::getenv("USER");
  return user && *user ? std::string(user).substr(0, 128) : "cli";
}

int erase(const CommandContext& c) {
  c.args.atMost(1);
  const std::string subject = subjectOption(c);
  auto reason = c.args.option("reason");
  if (!reason) throw InvalidInput("--reason is required: say why the subject is erased");
  auto ledger = openLedger(c.config, 1);
  service::Erasure erased;
  erased.reason = *reason;
  erased.by = eraser(c);
  try {
    erased.event = ledger->erase(subject, erased.reason, erased.by);
  } catch (const NotFound&) {
    throw service::Failure(service::Fault::kNotFound,
                           "the ledger holds nothing about this subject");
  }
  if (c.json) {
    c.printJson(service::erasureJson(erased));
  } else if (erased.event) {
    c.out << "erased: seq " << erased.event->seq << " subject.erased " << erased.event->id
          << "; its events remain, linked to nobody\n";
  } else {
    c.out << "already erased; nothing recorded since\n";
  }
  return kOk;
}

}  // namespace

int runLedger(const CommandContext& c) {
  const std::string& action = c.args.need(0, "action (verify, anchor, export or erase)");
  if (action == "verify") return verify(c);
  if (action == "anchor") return anchor(c);
  if (action == "export") return exportSubject(c);
  if (action == "erase") return erase(c);
  throw InvalidInput("unknown action \"" + action +
                     "\": use `charta ledger verify`, `charta ledger anchor`, "
                     "`charta ledger export --subject S` or "
                     "`charta ledger erase --subject S --reason R`");
}

}  // namespace charta::app
