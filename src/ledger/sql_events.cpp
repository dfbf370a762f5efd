#include "ledger/sql_events.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;

void Rows::into(Statement& st) {
  using Poco::Data::Keywords::into;
  st, into(seq), into(id), into(subject), into(document), into(edition), into(commit),
      into(textSha256), into(pageSha256), into(language), into(purposes), into(eventType),
      into(recordedAt), into(collectionMethod), into(formId), into(evidence), into(idempotencyKey),
      into(requestDigest), into(prevHash), into(hash);
}

StoredRow Rows::row(std::size_t i) const {
  auto opt = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  StoredRow r;
  r.seq = seq[i];
  ChainFields& f = r.fields;
  f.id = id[i];
  f.seq = std::to_string(seq[i]);
  f.subject = subject[i];
  f.document = document[i];
  f.edition = edition[i];
  f.commit = commit[i];
  f.textSha256 = textSha256[i];
  f.pageSha256 = opt(pageSha256[i]);
  f.language = language[i];
  f.purposes = purposes[i];
  f.eventType = eventType[i];
  f.recordedAt = recordedAt[i];
  f.collectionMethod = collectionMethod[i];
  f.formId = opt(formId[i]);
  f.evidence = opt(evidence[i]);
  f.idempotencyKey = opt(idempotencyKey[i]);
  f.requestDigest = requestDigest[i];
  f.prevHash = prevHash[i];
  r.hash = hash[i];
  return r;
}

}  // namespace charta::ledger::sql
