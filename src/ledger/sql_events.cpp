#include "ledger/sql_events.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;

std::vector<std::string> createTables(std::string_view integer) {
  std::vector<std::string> out = {
      "CREATE TABLE consent_events ("
      " seq INT64 PRIMARY KEY,"
      " id TEXT NOT NULL UNIQUE,"
      " subject TEXT NOT NULL,"
      " document TEXT NOT NULL,"
      " edition INT64 NOT NULL,"
      " commit_id TEXT NOT NULL,"
      " text_sha256 TEXT NOT NULL,"
      " page_sha256 TEXT,"
      " language TEXT NOT NULL,"
      " purposes TEXT NOT NULL,"
      " event_type TEXT NOT NULL,"
      " recorded_at INT64 NOT NULL,"
      " collection_method TEXT NOT NULL,"
      " form_id TEXT,"
      " evidence TEXT,"
      " idempotency_key TEXT UNIQUE,"
      " request_digest TEXT NOT NULL,"
      " prev_hash TEXT NOT NULL,"
      " hash TEXT NOT NULL)",
      "CREATE INDEX consent_events_subject ON consent_events (subject, seq)",
      "CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INT64 NOT NULL,"
      " hash TEXT NOT NULL)",
      "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + std::string(kGenesisHash) + "')",
  };
  for (std::string& statement : out) {
    for (size_t at; (at = statement.find("INT64")) != std::string::npos;) {
      statement.replace(at, 5, integer);
    }
  }
  return out;
}

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

namespace {

// "a,b,c" as stored; nullopt when one of them is no purpose id.
std::optional<std::vector<core::PurposeId>> splitPurposes(const std::string& stored) {
  std::vector<core::PurposeId> purposes;
  std::size_t start = 0;
  while (start < stored.size()) {
    std::size_t comma = stored.find(',', start);
    if (comma == std::string::npos) comma = stored.size();
    auto p = core::PurposeId::parse(std::string_view(stored).substr(start, comma - start));
    if (!p) return std::nullopt;
    purposes.push_back(*p);
    start = comma + 1;
  }
  return purposes;
}

// Decimal milliseconds as stored; nullopt when it is not exactly a number.
std::optional<std::int64_t> parseMillis(const std::string& stored) {
  try {
    std::size_t used = 0;
    std::int64_t ms = std::stoll(stored, &used);
    if (used != stored.size()) return std::nullopt;
    return ms;
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
}

}  // namespace

Event toEvent(const StoredRow& r) {
  const ChainFields& f = r.fields;
  auto bad = [&](const char* field) {
    return StorageError("stored consent event seq " + std::to_string(r.seq) + " is malformed (" +
                        field + ")");
  };
  auto doc = core::DocumentId::parse(f.document);
  if (!doc) throw bad("document");
  auto edition = core::EditionNo::parse(f.edition);
  if (!edition) throw bad("edition");
  auto commit = core::CommitId::parse(f.commit);
  if (!commit) throw bad("commit");
  auto lang = core::Lang::parse(f.language);
  if (!lang) throw bad("language");
  auto type = core::parseConsentEventType(f.eventType);
  if (!type) throw bad("event_type");
  auto purposes = splitPurposes(f.purposes);
  if (!purposes) throw bad("purposes");
  auto ms = parseMillis(f.recordedAt);
  if (!ms) throw bad("recorded_at");
  return Event{NewEvent{f.subject, *doc, *edition, *commit, f.textSha256, f.pageSha256, *lang,
                        std::move(*purposes), *type, f.collectionMethod, f.formId, f.evidence,
                        f.idempotencyKey},
               f.id,
               r.seq,
               core::Instant{std::chrono::milliseconds{*ms}},
               f.requestDigest,
               f.prevHash,
               r.hash};
}

bool blockedIn(Session& s, const Dialect& d, std::string& subject) {
  std::vector<std::string> type;
  s << d.sql(
      "SELECT event_type FROM consent_events WHERE subject = ? AND event_type IN "
      "('blocked', 'unblocked') ORDER BY seq DESC LIMIT 1"),
      use(subject), into(type), now;
  return !type.empty() && type.front() == "blocked";
}

Head lockHead(Session& s, const Dialect& d) {
  std::vector<Poco::Int64> seq;
  std::vector<std::string> hash;
  s << d.headForUpdate(), into(seq), into(hash), now;
  if (seq.empty()) throw StorageError("the consent ledger's chain head row is missing");
  return {seq.front(), hash.front()};
}

void writeHead(Session& s, const Dialect& d, const Head& head) {
  Poco::Int64 seq = head.seq;
  std::string hash = head.hash;
  s << d.sql("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1"), use(seq), use(hash), now;
}

InsertRow InsertRow::of(const Event& ev, const ChainFields& f) {
  return {ev.seq,
          ev.edition.value(),
          ev.recordedAt.time_since_epoch().count(),
          f.id,
          f.subject,
          f.document,
          f.commit,
          f.textSha256,
          f.pageSha256.value_or(""),
          f.language,
          f.purposes,
          f.eventType,
          f.collectionMethod,
          f.formId.value_or(""),
          f.evidence.value_or(""),
          f.idempotencyKey.value_or(""),
          f.requestDigest,
          f.prevHash,
          ev.hash};
}

namespace {

constexpr std::string_view kInsertInto =
    "INSERT INTO consent_events (seq, id, subject, document, edition, commit_id, text_sha256, "
    "page_sha256, language, purposes, event_type, recorded_at, collection_method, form_id, "
    "evidence, idempotency_key, request_digest, prev_hash, hash)";
constexpr std::string_view kInsertRow =
    "(?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), "
    "NULLIF(?, ''), ?, ?, ?)";

// "(?, ?, ?)" for "n" values.
std::string inList(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

}  // namespace

void insertRows(Session& s, const Dialect& d, std::vector<InsertRow>& rows) {
  for (std::size_t at = 0; at < rows.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, rows.size() - at);
    std::string text(kInsertInto);
    for (std::size_t i = 0; i < n; ++i) text += (i ? ", " : " VALUES ") + std::string(kInsertRow);
    Statement st(s);
    st << d.sql(text);
    for (std::size_t i = at; i < at + n; ++i) {
      InsertRow& r = rows[i];
      st, use(r.seq), use(r.id), use(r.subject), use(r.document), use(r.edition), use(r.commit),
          use(r.textSha256), use(r.pageSha256), use(r.language), use(r.purposes), use(r.eventType),
          use(r.recordedAt), use(r.collectionMethod), use(r.formId), use(r.evidence),
          use(r.idempotencyKey), use(r.requestDigest), use(r.prevHash), use(r.hash);
    }
    st.execute();
  }
}

std::map<std::string, Event> storedByKey(Session& s, const Dialect& d,
                                         std::vector<std::string>& keys) {
  std::map<std::string, Event> out;
  for (std::size_t at = 0; at < keys.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, keys.size() - at);
    Rows rows;
    Statement st(s);
    st << d.sql("SELECT " + std::string(kColumns) +
                " FROM consent_events WHERE idempotency_key IN " + inList(n));
    for (std::size_t i = at; i < at + n; ++i) st, use(keys[i]);
    rows.into(st);
    st.execute();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      Event e = toEvent(rows.row(i));
      std::string key = e.idempotencyKey.value_or("");
      out.emplace(std::move(key), std::move(e));
    }
  }
  return out;
}

std::map<std::string, bool> blockingOf(Session& s, const Dialect& d,
                                       std::vector<std::string>& subjects) {
  std::map<std::string, bool> out;
  for (std::size_t at = 0; at < subjects.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, subjects.size() - at);
    std::vector<std::string> who, type;
    Statement st(s);
    st << d.sql(
        "SELECT subject, event_type FROM consent_events WHERE event_type IN "
        "('blocked', 'unblocked') AND subject IN " +
        inList(n) + " ORDER BY seq");
    for (std::size_t i = at; i < at + n; ++i) st, use(subjects[i]);
    st, into(who), into(type);
    st.execute();
    for (std::size_t i = 0; i < who.size(); ++i) out[who[i]] = type[i] == "blocked";
  }
  return out;
}

}  // namespace charta::ledger::sql
