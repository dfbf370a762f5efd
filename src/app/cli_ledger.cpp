#include "app/cli_ledger.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <ostream>

#include "app/cli.h"
#include "core/consent.h"
#include "core/error.h"
#include "ledger/ledger.h"
#include "ledger/receipt.h"
#include "render/site.h"
#include "repository/policy_repository.h"

namespace charta::app {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::unique_ptr<ledger::Ledger> openConfigured(const CommandContext& c) {
  ledger::Options options;
  options.readers = 1;
  return ledger::openLedger(c.config.getString("ledger.uri"), options);
}

int verify(const CommandContext& c) {
  c.args.atMost(1);
  if (c.args.option("subject")) throw InvalidInput("`charta ledger verify` takes no --subject");
  auto l = openConfigured(c);
  ledger::VerifyReport rep = l->verify();
  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("ok", rep.ok);
    o->set("backend", std::string(l->backend()));
    o->set("checked", static_cast<Poco::Int64>(rep.checked));
    o->set("head_seq", static_cast<Poco::Int64>(rep.headSeq));
    o->set("head_hash", rep.headHash);
    Array::Ptr findings = new Array;
    for (const auto& f : rep.findings) {
      Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      fo->set("kind", std::string(ledger::findingKindName(f.kind)));
      fo->set("seq", static_cast<Poco::Int64>(f.seq));
      fo->set("id", f.id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(f.id));
      fo->set("detail", f.detail);
      findings->add(fo);
    }
    o->set("findings", findings);
    o->stringify(c.out, 2);
    c.out << '\n';
  } else {
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
            << (rep.findings.size() == 1 ? "" : "s") << " in " << rep.checked
            << " events (head seq " << rep.headSeq << ")\n";
    }
  }
  return rep.ok ? kOk : kLedgerBroken;
}

// The public URL of each document's editions, from charta.xml at the branch tip, when the policy
// repository can be opened (the export is still complete without it).
ledger::ReceiptOptions receiptOptions(const CommandContext& c) {
  ledger::ReceiptOptions options;
  try {
    repository::RepositoryOptions ro;
    ro.branch = c.config.getString("repository.branch", "");
    auto repo = repository::PolicyRepository::open(c.config.getString("repository.path"), ro);
    core::Registry reg = repo->registry(repo->head());
    std::string base = c.config.getString("site.base_url", "");
    if (base.empty()) base = reg.baseUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::map<std::string, std::string> routes;
    for (const auto& d : reg.documents) routes[d.id.str()] = d.route;
    options.noticeUrl = [base, routes](const ledger::Event& e) -> std::string {
      auto it = routes.find(e.doc.str());
      return it == routes.end() ? "" : base + render::editionPath(it->second, e.edition);
    };
  } catch (const std::exception&) {
  }
  return options;
}

int exportSubject(const CommandContext& c) {
  c.args.atMost(1);
  auto subject = c.args.option("subject");
  if (!subject) throw InvalidInput("--subject S is required");
  if (!core::isValidSubject(*subject)) {
    throw InvalidInput("--subject must be 1-128 bytes of UTF-8 without control characters");
  }
  auto l = openConfigured(c);
  auto events = l->bySubject(*subject);
  auto x = ledger::subjectExport(*subject, events, core::now(), receiptOptions(c));
  x->stringify(c.out, 2);
  c.out << '\n';
  return kOk;
}

}  // namespace

int runLedgerCommand(const CommandContext& c) {
  const std::string& action = c.args.need(0, "action (verify or export)");
  if (action == "verify") return verify(c);
  if (action == "export") return exportSubject(c);
  throw InvalidInput("unknown action \"" + action +
                     "\": use `charta ledger verify` or `charta "
                     "ledger export --subject S`");
}

}  // namespace charta::app
