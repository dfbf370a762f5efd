#include "ledger/sql_migrate.h"

#include <Poco/UUIDGenerator.h>

#include <limits>

#include "core/sha256.h"
#include "ledger/sql_events.h"
#include "ledger/sql_log.h"
#include "ledger/sql_schema.h"
#include "ledger/sql_subjects.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;

namespace {

constexpr std::size_t kMigratePage = 1000;

void run(Session& s, const std::vector<std::string>& statements) {
  for (const std::string& statement : statements) s << statement, now;
}

void createV2(Session& s, const Dialect& d) {
  run(s, d.schemaV2());
  std::string id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  std::string secret = core::toHex(randomBytes(32));
  s << d.sql(
      "INSERT INTO meta (name, value) VALUES ('ledger_id', ?), ('lookup_secret', ?), "
      "('format', 'charta-event/2')"),
      use(id), use(secret), now;
}

std::string summary(const VerifyReport& r) {
  std::string out;
  std::size_t n = 0;
  for (const Finding& f : r.findings) {
    if (n++ == 10) {
      out += "; ...";
      break;
    }
    out += (out.empty() ? "" : "; ") + std::string(findingKindName(f.kind)) + " at seq " +
           std::to_string(f.seq) + ": " + f.detail;
  }
  return out;
}

Kind kindOfV1(const std::string& type) {
  if (type == "given") return Kind::kConsentGiven;
  if (type == "withdrawn") return Kind::kConsentWithdrawn;
  if (type == "blocked") return Kind::kSubjectBlocked;
  if (type == "unblocked") return Kind::kSubjectUnblocked;
  throw StorageError("a v1 consent event has an unknown event_type");
}

// The v2 event of one v1 row, keyed under the subject's key "k".
CanonicalEvent reencode(const ChainFields& f, const SubjectRow& k) {
  CanonicalEvent e = CanonicalEvent::of(kindOfV1(f.eventType));
  e.values[kIdField] = f.id;
  e.values[kRecordedAtField] = f.recordedAt;
  e.set("subject", *k.pseudonym);
  e.set("document", f.document);
  e.set("edition", f.edition);
  e.set("commit", f.commit);
  e.set("text_sha256", f.textSha256);
  e.set("page_sha256", f.pageSha256);
  e.set("language", f.language);
  e.set("purposes", f.purposes);
  e.set("collection_method", f.collectionMethod);
  e.set("form_id", f.formId);
  if (f.evidence) e.set("evidence_sha256", core::hmacSha256Hex(*k.key, *f.evidence));
  e.set("idempotency_key", f.idempotencyKey);
  e.set("request_digest", core::hmacSha256Hex(*k.key, f.requestDigest));
  return e;
}

// Re-encodes every v1 event into "tx", a page at a time.
std::int64_t copyV1(Tx& tx, SubjectKeys& keys) {
  Session& s = tx.session;
  std::int64_t copied = 0;
  Poco::Int64 after = std::numeric_limits<Poco::Int64>::min();
  const std::string page = "WHERE seq > ? ORDER BY seq LIMIT " + std::to_string(kMigratePage);
  for (;;) {
    Rows rows = selectEvents(s, tx.dialect, page, after);
    std::vector<std::string> subjects(rows.subject.begin(), rows.subject.end());
    keys.load(subjects);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      StoredRow row = rows.row(i);
      const SubjectRow& k = keys.keyOf(row.fields.subject);
      CanonicalEvent e = reencode(row.fields, k);
      Chained at = tx.append(e);
      if (at.seq != row.seq) throw StorageError("the v1 chain is not dense; not migrated");
      if (row.fields.evidence) {
        std::string id = at.id, pseudonym = *k.pseudonym, evidence = *row.fields.evidence;
        s << tx.dialect.sql(
            "INSERT INTO personal (event_id, pseudonym, evidence) VALUES (?, ?, ?)"),
            use(id), use(pseudonym), use(evidence), now;
      }
      ++copied;
    }
    keys.flush();
    tx.flush();
    if (rows.size() < kMigratePage) break;
    after = rows.seq.back();
  }
  return copied;
}

void migrateV1(Session& s, const Dialect& d) {
  VerifyReport v1 = verifyChainV1(s, d);
  if (!v1.ok) {
    throw StorageError(
        "the consent ledger is in format charta-consent-event/1 and its chain does not verify (" +
        std::to_string(v1.findings.size()) + " findings: " + summary(v1) +
        "); it is not migrated to charta-event/2 and is left as it is: restore it from a backup");
  }
  createV2(s, d);
  Meta meta = readMeta(s, d);
  Tx tx(s, d, Head{0, std::string(kGenesisHash)}, core::merkle::Frontier{});
  SubjectKeys keys(s, d, meta.secret);
  const std::int64_t copied = copyV1(tx, keys);
  CanonicalEvent done = CanonicalEvent::of(Kind::kLedgerMigrated);
  done.set("from_format", "charta-consent-event/1");
  done.set("from_head_seq", std::to_string(v1.headSeq));
  done.set("from_head_hash", v1.headHash);
  done.set("events", std::to_string(copied));
  tx.append(done);
  tx.flush();
  run(s, d.dropV1());
}

}  // namespace

std::string migrate(Session& s, const Dialect& d) {
  d.beforeMigration(s);
  d.beginWrite(s);
  try {
    d.lockMigration(s);
    s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
         " applied_at BIGINT NOT NULL)",
        now;
    Poco::Int64 current = 0;
    s << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(current), now;
    if (current > kSchemaVersion) {
      throw SchemaTooNew("the consent ledger's schema is v" + std::to_string(current) +
                         ", newer than this build of charta knows (v" +
                         std::to_string(kSchemaVersion) + ")");
    }
    if (current == 0) {
      run(s, d.chainHead());
      createV2(s, d);
    } else if (current == 1) {
      migrateV1(s, d);
    }
    for (Poco::Int64 v = current + 1; v <= kSchemaVersion; ++v) {
      Poco::Int64 at = core::now().time_since_epoch().count();
      s << d.sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"), use(v), use(at),
          now;
    }
    d.commit(s);
    if (current == kSchemaVersion) return "";
    const std::string to = "v" + std::to_string(kSchemaVersion);
    return current == 0 ? "created the consent ledger (schema " + to + ")"
                        : "migrated the consent ledger's schema from v" + std::to_string(current) +
                              " to " + to;
  } catch (...) {
    d.rollback(s);
    throw;
  }
}

Meta readMeta(Session& s, const Dialect& d) {
  std::vector<std::string> name, value;
  s << d.sql("SELECT name, value FROM meta"), into(name), into(value), now;
  Meta m;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == "ledger_id") m.ledgerId = value[i];
    if (name[i] == "lookup_secret") m.secret = fromHexBytes(value[i]);
  }
  if (m.ledgerId.empty() || m.secret.size() != 32) {
    throw StorageError("the consent ledger's meta table lacks its id or its secret");
  }
  return m;
}

}  // namespace charta::ledger::sql
