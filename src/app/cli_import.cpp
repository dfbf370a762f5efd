// charta import: the history a team kept in git before charta, as imported editions.
#include <Poco/JSON/Array.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/open.h"
#include "app/record.h"
#include "core/error.h"
#include "core/publication.h"
#include "service/importing.h"
#include "service/views.h"

namespace charta::app {

namespace {

void logToStderr(const std::string& line) { std::cerr << "charta: " << line << '\n'; }

service::EffectiveDates readDates(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput("--dates: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return service::parseEffectiveDates(text.str());
}

// Chains the imported "editions" in the ledger (observed via cli). They are imported whatever
// happens here: a ledger out of reach leaves the chaining to the server, which chains every
// edition it finds before serving it.
void recordImported(const CommandContext& c, repository::PolicyRepository& repo,
                    const std::vector<core::Edition>& editions) {
  try {
    auto ledger = openLedger(c.config, 1);
    Record record(c.config, repo, *ledger);
    for (const core::Edition& e : editions) record.chain.record(e, "cli");
  } catch (const std::exception& ex) {
    std::cerr << "charta: warning: not recorded in the consent ledger now (the server records it "
                 "when it sees the editions): "
              << ex.what() << '\n';
  }
}

core::Person importer(const CommandContext& c, const repository::PolicyRepository& repo) {
  if (auto asked = c.publisher()) {
    if (!core::isPersonSafe(*asked)) throw InvalidInput("invalid importer name or e-mail");
    return *asked;
  }
  auto configured = repo.gitUser();
  return configured && core::isPersonSafe(*configured) ? *configured : core::defaultPublisher();
}

}  // namespace

int runImport(const CommandContext& c) {
  c.args.atMost(1);
  service::ImportRequest request{c.doc(0), {}, std::nullopt, {}};
  if (auto path = c.args.option("dates")) request.dates = readDates(*path);
  if (auto since = c.args.option("since")) {
    request.since = core::CommitId::parse(*since);
    if (!request.since) {
      throw InvalidInput("--since wants a full 40-hex commit id, not \"" + *since + "\"");
    }
  }
  if (publishingOptions(c.config).replica) {
    throw service::ReplicaReadOnly(
        "this repository is a replica (repository.replica): import on the primary; nothing was "
        "written");
  }
  auto repo = openRepository(c.config, logToStderr);
  request.importer = importer(c, *repo);
  const core::Instant now = core::now();
  std::vector<core::Edition> editions = service::importHistory(*repo, request, now);
  recordImported(c, *repo, editions);
  const core::Timeline timeline = repo->timeline(request.doc);
  if (c.json) {
    Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
    for (const auto& e : editions) arr->add(service::editionJson(e, timeline, now));
    c.printJson(arr);
    return kOk;
  }
  for (const auto& e : editions) {
    c.out << "imported " << e.doc.str() << ' ' << e.no.str() << "  " << e.commit.str().substr(0, 12)
          << "  effective " << core::formatRfc3339(e.effectiveFrom, e.effectiveOffset) << "  "
          << e.summary << '\n';
  }
  c.out << request.doc.str() << ": " << editions.size() << " imported edition"
        << (editions.size() == 1 ? "" : "s") << '\n';
  return kOk;
}

}  // namespace charta::app
