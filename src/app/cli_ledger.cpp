// charta ledger verify [--json] | charta ledger export --subject S
//
// verify re-reads the whole consent ledger (ledger.uri) and checks its hash chain: a summary
// line, and one line per finding ("seq 12 changed <id>: ...") when the chain is broken; exit 5
// then. export prints, as JSON, everything the ledger holds about one subject (the receipts of
// its events, oldest first), with the editions' public URLs when the policy repository can be read.
#include "app/commands.h"
#include "app/open.h"
#include "core/consent.h"
#include "core/error.h"
#include "service/evidence.h"
#include "service/views.h"

namespace charta::app {

namespace {

int verify(const CommandContext& c) {
  c.args.atMost(1);
  if (c.args.option("subject")) throw InvalidInput("`charta ledger verify` takes no --subject");
  auto ledger = openLedger(c.config, 1);
  service::Evidence evidence(*ledger, nullptr);
  ledger::VerifyReport rep = evidence.verify();
  if (c.json) {
    c.printJson(service::verifyReportJson(rep, evidence.backend()));
    return rep.ok ? kOk : kLedgerBroken;
  }
  for (const auto& f : rep.findings) {
    c.out << "seq " << f.seq << ' ' << ledger::findingKindName(f.kind);
    if (!f.id.empty()) c.out << ' ' << f.id;
    c.out << ": " << f.detail << '\n';
  }
  if (rep.ok) {
    c.out << "ledger ok: " << rep.checked << " events, head seq " << rep.headSeq << " hash "
          << rep.headHash << '\n';
  } else {
    c.out << "ledger BROKEN: " << rep.findings.size() << " finding"
          << (rep.findings.size() == 1 ? "" : "s") << " in " << rep.checked << " events (head seq "
          << rep.headSeq << ")\n";
  }
  return rep.ok ? kOk : kLedgerBroken;
}

int exportSubject(const CommandContext& c) {
  c.args.atMost(1);
  auto subject = c.args.option("subject");
  if (!subject) throw InvalidInput("--subject S is required");
  if (!core::isValidSubject(*subject)) {
    throw InvalidInput("--subject must be 1-128 bytes of UTF-8 without control characters");
  }
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
  auto events = evidence.events(*subject, std::nullopt);
  c.printJson(service::subjectExport(*subject, events, core::now(), evidence.receiptOptions()));
  return kOk;
}

}  // namespace

int runLedger(const CommandContext& c) {
  const std::string& action = c.args.need(0, "action (verify or export)");
  if (action == "verify") return verify(c);
  if (action == "export") return exportSubject(c);
  throw InvalidInput("unknown action \"" + action +
                     "\": use `charta ledger verify` or `charta ledger export --subject S`");
}

}  // namespace charta::app
