#include "ledger/sql_consents.h"

#include <Poco/Data/Statement.h>

#include <charconv>

#include "core/sha256.h"
#include "ledger/chain.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

constexpr std::size_t kInList = 128;

Kind kindOf(EventType type) {
  switch (type) {
    case EventType::kGiven:
      return Kind::kConsentGiven;
    case EventType::kWithdrawn:
      return Kind::kConsentWithdrawn;
    case EventType::kBlocked:
      return Kind::kSubjectBlocked;
    case EventType::kUnblocked:
      return Kind::kSubjectUnblocked;
  }
  return Kind::kConsentGiven;
}

std::optional<EventType> typeOf(Kind kind) {
  switch (kind) {
    case Kind::kConsentGiven:
      return EventType::kGiven;
    case Kind::kConsentWithdrawn:
      return EventType::kWithdrawn;
    case Kind::kSubjectBlocked:
      return EventType::kBlocked;
    case Kind::kSubjectUnblocked:
      return EventType::kUnblocked;
    default:
      return std::nullopt;
  }
}

std::int64_t toInt(std::string_view text) {
  std::int64_t v = -1;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::string inList(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

std::optional<std::string> opt(std::optional<std::string_view> v) {
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

// The canonical event of a consent-type request, keyed under "key".
CanonicalEvent canonicalOf(const NewEvent& e, const Citation& c, const std::string& digest,
                           const SubjectRow& subject, std::optional<std::int64_t> publication) {
  CanonicalEvent ev = CanonicalEvent::of(kindOf(e.type));
  ev.set("subject", *subject.pseudonym);
  ev.set("document", e.doc.str());
  ev.set("edition", std::to_string(e.edition.value()));
  if (publication) ev.set("publication", std::to_string(*publication));
  ev.set("commit", e.commit.str());
  ev.set("text_sha256", e.textSha256);
  ev.set("page_sha256", e.pageSha256);
  ev.set("language", e.lang.str());
  ev.set("purposes", joinPurposes(e.purposes));
  ev.set("collection_method", e.collectionMethod);
  ev.set("form_id", e.formId);
  if (e.evidence) ev.set("evidence_sha256", core::hmacSha256Hex(*subject.key, *e.evidence));
  ev.set("reason", c.reason);
  ev.set("idempotency_key", e.idempotencyKey);
  ev.set("request_digest", core::hmacSha256Hex(*subject.key, digest));
  return ev;
}

// An Event of "base" with nothing chained yet (filled in by the caller).
Event eventOf(NewEvent base) {
  return Event{std::move(base), "",           0,    {}, "", "", "", "", std::nullopt,
               std::nullopt,    std::nullopt, false};
}

}  // namespace

Event toEvent(const DecodedEvent& d, const std::string& hash,
              const std::optional<std::string>& subject,
              const std::optional<std::string>& evidence) {
  auto bad = [&](const char* field) {
    return StorageError("stored event seq " + std::string(d.values[kSeqField].value_or("?")) +
                        " is malformed (" + field + ")");
  };
  auto type = typeOf(d.kind);
  if (!type) throw bad("kind");
  auto doc = core::DocumentId::parse(d.get("document").value_or(""));
  if (!doc) throw bad("document");
  auto edition = core::EditionNo::parse(d.get("edition").value_or(""));
  if (!edition) throw bad("edition");
  auto commit = core::CommitId::parse(d.get("commit").value_or(""));
  if (!commit) throw bad("commit");
  auto lang = core::Lang::parse(d.get("language").value_or(""));
  if (!lang) throw bad("language");
  std::vector<core::PurposeId> purposes;
  std::string_view list = d.get("purposes").value_or("");
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    auto p = core::PurposeId::parse(list.substr(0, comma));
    if (!p) throw bad("purposes");
    purposes.push_back(*p);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  Chained at = chainedOf(d, hash);
  Event ev = eventOf(NewEvent{
      subject.value_or(""), *doc, *edition, *commit, std::string(d.get("text_sha256").value_or("")),
      opt(d.get("page_sha256")), *lang, std::move(purposes), *type,
      std::string(d.get("collection_method").value_or("")), opt(d.get("form_id")),
      subject ? evidence : std::nullopt, opt(d.get("idempotency_key"))});
  ev.id = at.id;
  ev.seq = at.seq;
  ev.recordedAt = at.recordedAt;
  ev.requestDigest = std::string(d.get("request_digest").value_or(""));
  ev.prevHash = at.prevHash;
  ev.hash = hash;
  ev.pseudonym = std::string(d.get("subject").value_or(""));
  if (auto p = d.get("publication")) ev.publication = toInt(*p);
  ev.reason = opt(d.get("reason"));
  ev.evidenceSha256 = opt(d.get("evidence_sha256"));
  ev.subjectErased = !subject;
  return ev;
}

std::vector<Event> selectConsents(Session& s, const Dialect& d, const std::string& where,
                                  const std::vector<std::string>& values) {
  std::vector<Row> rows = d.select(
      s,
      "SELECT e.bytes, e.hash, s.subject, p.evidence FROM events e LEFT JOIN subjects s ON "
      "s.pseudonym = e.pseudonym LEFT JOIN personal p ON p.event_id = e.id " +
          where,
      values);
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    const std::string text = r[0].value_or("");
    DecodedEvent ev = decodeStored(text, -1);
    if (!isSubjectKind(ev.kind)) continue;
    std::optional<std::string> evidence = r[3];
    if (evidence && evidence->empty()) evidence.reset();
    out.push_back(toEvent(ev, r[1].value_or(""), r[2], evidence));
  }
  return out;
}

bool blockedIn(Session& s, const Dialect& d, const std::string& pseudonym) {
  std::vector<Row> rows = d.select(s,
                                   "SELECT kind FROM events WHERE pseudonym = ? AND kind IN "
                                   "('subject.blocked', 'subject.unblocked') ORDER BY seq DESC "
                                   "LIMIT 1",
                                   {pseudonym});
  return !rows.empty() && rows.front()[0] == "subject.blocked";
}

void ConsentBatch::prepare(const std::vector<ConsentRequest>& requests) {
  std::vector<std::string> subjects, keys;
  for (const ConsentRequest& r : requests) {
    subjects.push_back(r.event->subject);
    if (r.event->idempotencyKey) keys.push_back(*r.event->idempotencyKey);
  }
  keys_.load(subjects);
  for (std::size_t at = 0; at < keys.size(); at += kInList) {
    const std::size_t n = std::min(kInList, keys.size() - at);
    std::vector<std::string> values(keys.begin() + static_cast<std::ptrdiff_t>(at),
                                    keys.begin() + static_cast<std::ptrdiff_t>(at + n));
    for (Event& e : selectConsents(tx_.session, tx_.dialect,
                                   "WHERE e.idempotency_key IN " + inList(n), values)) {
      std::string key = *e.idempotencyKey;
      std::string pseudonym = e.pseudonym, digest = e.requestDigest;
      stored_.insert_or_assign(key, Stored{pseudonym, digest, std::move(e)});
    }
  }
  std::vector<std::string> pseudonyms;
  for (const std::string& subject : subjects) {
    if (const SubjectRow* row = keys_.live(subject)) pseudonyms.push_back(*row->pseudonym);
  }
  for (std::size_t at = 0; at < pseudonyms.size(); at += kInList) {
    const std::size_t n = std::min(kInList, pseudonyms.size() - at);
    const std::vector<std::string> values(pseudonyms.begin() + static_cast<std::ptrdiff_t>(at),
                                          pseudonyms.begin() + static_cast<std::ptrdiff_t>(at + n));
    for (const Row& r : tx_.dialect.select(tx_.session,
                                           "SELECT pseudonym, kind FROM events WHERE kind IN "
                                           "('subject.blocked', 'subject.unblocked') AND "
                                           "pseudonym IN " +
                                               inList(n) + " ORDER BY seq",
                                           values)) {
      blocked_[r[0].value_or("")] = r[1] == "subject.blocked";
    }
  }
}

std::optional<AppendResult> ConsentBatch::replay(const ConsentRequest& r) {
  const NewEvent& e = *r.event;
  auto it = stored_.find(*e.idempotencyKey);
  if (it == stored_.end()) return std::nullopt;
  const SubjectRow* subject = keys_.live(e.subject);
  if (!subject || *subject->pseudonym != it->second.pseudonym ||
      core::hmacSha256Hex(*subject->key, *r.digest) != it->second.requestDigest) {
    throw Conflict("the idempotency key was already used for a different consent request");
  }
  Event ev = it->second.event;
  ev.subject = e.subject;
  ev.evidence = e.evidence;
  ev.subjectErased = false;
  return AppendResult{std::move(ev), true};
}

AppendResult ConsentBatch::decide(const ConsentRequest& r) {
  const NewEvent& e = *r.event;
  if (e.idempotencyKey) {
    if (auto replayed = replay(r)) return *replayed;
  }
  if (e.type == EventType::kGiven) {
    const SubjectRow* row = keys_.live(e.subject);
    if (row && blocked_[*row->pseudonym]) {
      throw Blocked("the subject is blocked (clause 6.2.4): consent cannot be given");
    }
  }
  std::optional<Cited> cited = citation(e, *r.citation);
  const SubjectRow& subject = keys_.keyOf(e.subject);
  CanonicalEvent ev = canonicalOf(e, *r.citation, *r.digest, subject,
                                  cited ? std::optional(cited->seq) : std::nullopt);
  Chained at = tx_.append(ev);
  if (e.evidence) personal_.push_back({at.id, *subject.pseudonym, *e.evidence});
  if (e.type == EventType::kBlocked || e.type == EventType::kUnblocked) {
    blocked_[*subject.pseudonym] = e.type == EventType::kBlocked;
  }
  Event out = eventOf(e);
  out.id = at.id;
  out.seq = at.seq;
  out.recordedAt = at.recordedAt;
  out.requestDigest = *ev.get("request_digest");
  out.prevHash = at.prevHash;
  out.hash = at.hash;
  out.pseudonym = *subject.pseudonym;
  out.publication = cited ? std::optional(cited->seq) : std::nullopt;
  out.reason = r.citation->reason;
  out.evidenceSha256 = ev.get("evidence_sha256");
  if (e.idempotencyKey) {
    stored_.insert_or_assign(*e.idempotencyKey, Stored{out.pseudonym, out.requestDigest, out});
  }
  return AppendResult{std::move(out), false};
}

std::optional<ConsentBatch::Cited> ConsentBatch::publicationAt(std::int64_t seq) {
  if (auto it = cache_.bySeq.find(seq); it != cache_.bySeq.end()) return it->second;
  std::optional<std::string> bytes = bytesAt(tx_.session, tx_.dialect, seq);
  if (!bytes) return std::nullopt;
  DecodedEvent d = decodeStored(*bytes, seq);
  if (d.kind != Kind::kEditionPublished) return std::nullopt;
  Cited c;
  c.seq = seq;
  c.commit = std::string(d.get("commit").value_or(""));
  std::string_view texts = d.get("texts").value_or("");
  while (!texts.empty()) {
    std::size_t comma = texts.find(','), eq = texts.find('=');
    std::string_view one = texts.substr(0, comma);
    if (eq < one.size()) c.texts[std::string(one.substr(0, eq))] = std::string(one.substr(eq + 1));
    texts = comma == std::string_view::npos ? std::string_view() : texts.substr(comma + 1);
  }
  c.doc = std::string(d.get("document").value_or(""));
  c.edition = std::string(d.get("edition").value_or(""));
  cache_.bySeq[seq] = c;
  return c;
}

std::optional<ConsentBatch::Cited> ConsentBatch::publicationOf(const NewEvent& e) {
  std::string key = e.doc.str() + "\n" + std::to_string(e.edition.value());
  if (auto it = cited_.find(key); it != cited_.end()) return it->second;
  if (auto it = cache_.byEdition.find(key); it != cache_.byEdition.end()) return it->second;
  std::string doc = e.doc.str();
  Poco::Int64 edition = e.edition.value();
  std::vector<Poco::Int64> seq;
  tx_.session << tx_.dialect.sql(
      "SELECT seq FROM events WHERE kind = 'edition.published' AND document = ? "
      "AND edition = ?"),
      use(doc), use(edition), into(seq), now;
  std::optional<Cited> found = seq.empty() ? std::nullopt : publicationAt(seq.front());
  cited_[key] = found;  // not found: asked again by the next batch (it may be published by then)
  if (found) cache_.byEdition[key] = *found;
  return found;
}

std::optional<ConsentBatch::Cited> ConsentBatch::citation(const NewEvent& e, const Citation& c) {
  std::optional<Cited> cited = c.publication ? publicationAt(*c.publication) : publicationOf(e);
  if (c.publication && (!cited || cited->doc != e.doc.str() ||
                        cited->edition != std::to_string(e.edition.value()))) {
    throw NotChained("publication " + std::to_string(*c.publication) +
                     " is not the chained publication of " + e.doc.str() + " " + e.edition.str());
  }
  if (!cited) {
    if (requirePublication_) {
      throw NotChained(e.doc.str() + " " + e.edition.str() + " is not chained");
    }
    return std::nullopt;
  }
  if (cited->commit != e.commit.str()) {
    throw InvalidInput("commit is not the commit of the chained " + e.edition.str());
  }
  if (e.type == EventType::kGiven || e.type == EventType::kWithdrawn) {
    auto text = cited->texts.find(e.lang.str());
    if (text == cited->texts.end() || text->second != e.textSha256) {
      throw InvalidInput("text_sha256 is not the chained text of " + e.edition.str() + " in " +
                         e.lang.str());
    }
  }
  return cited;
}

void ConsentBatch::flush() {
  keys_.flush(&tx_);
  std::vector<Personal> rows = std::move(personal_);
  personal_.clear();
  for (std::size_t at = 0; at < rows.size(); at += kInList) {
    const std::size_t n = std::min(kInList, rows.size() - at);
    std::string text = "INSERT INTO personal (event_id, pseudonym, evidence) VALUES ";
    for (std::size_t i = 0; i < n; ++i) text += i ? ", (?, ?, ?)" : "(?, ?, ?)";
    std::vector<Param> params;
    params.reserve(3 * n);
    for (std::size_t i = at; i < at + n; ++i) {
      params.push_back(Param::text(rows[i].eventId));
      params.push_back(Param::text(rows[i].pseudonym));
      params.push_back(Param::text(rows[i].evidence));
    }
    tx_.write(std::move(text), std::move(params));
  }
}

}  // namespace charta::ledger::sql
