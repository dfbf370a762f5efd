// charta evidence <record_id> --out DIR [--json]
//
// Writes the evidence bundle of one consent event into DIR (service/evidence_bundle.h): the same
// files as GET /api/v1/consents/{id}/evidence, which a third party checks with `sh verify.sh`
// without charta. When no anchor holds the event yet, one is written first (on the primary; a
// replica refuses).
#include <Poco/JSON/Object.h>

#include "app/commands.h"
#include "app/open.h"
#include "app/record.h"
#include "core/error.h"
#include "core/sha256.h"
#include "service/evidence_bundle.h"

namespace charta::app {

int runEvidence(const CommandContext& c) {
  c.args.atMost(1);
  const std::string& id = c.args.need(0, "record id (a consent event's id)");
  auto out = c.args.option("out");
  if (!out || out->empty()) throw InvalidInput("--out DIR is required: where the bundle goes");
  auto ledger = openLedger(c.config, 1);
  auto repo = openRepository(c.config, {});
  Record record(c.config, *repo, *ledger);
  // The editions' URLs in the receipt, as the server shows them, when the catalog can be read.
  std::unique_ptr<service::Catalog> catalog;
  try {
    catalog = std::make_unique<service::Catalog>(*repo, catalogOptions(c.config));
    catalog->refresh();
  } catch (const std::exception&) {
    catalog.reset();
  }
  service::Evidence evidence(*ledger, catalog.get());
  repository::RawObjects objects(repo->path());
  service::EvidenceBundles bundles(
      {*ledger, *repo, objects, record.anchors, record.anchoring, evidence});
  const auto files = bundles.bundle(id, core::now());
  service::writeBundle(files, *out);
  std::size_t bytes = 0;
  for (const auto& f : files) bytes += f.bytes.size();
  if (c.json) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("record_id", id);
    o->set("out", *out);
    o->set("files", static_cast<Poco::UInt64>(files.size()));
    o->set("bytes", static_cast<Poco::UInt64>(bytes));
    c.printJson(o);
  } else {
    c.out << "wrote the evidence of " << id << " to " << *out << ": " << files.size() << " files, "
          << bytes << " bytes; check it with `sh " << *out << "/verify.sh`\n";
  }
  return kOk;
}

}  // namespace charta::app
