#include "ledger/sql_publications.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <cctype>

#include "core/consent.h"

namespace charta::ledger::sql {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

std::string lowerHex(std::string_view name, std::string_view hex, std::size_t digits) {
  std::string out(hex);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool ok = out.size() == digits &&
            std::all_of(out.begin(), out.end(), [](char c) { return std::isxdigit(c) != 0; });
  if (!ok) {
    throw InvalidInput(std::string(name) + " must be " + std::to_string(digits) + " hex digits");
  }
  return out;
}

void checkTime(std::string_view name, const std::string& text) {
  if (!core::parseRfc3339(text)) throw InvalidInput(std::string(name) + " is not RFC 3339");
}

void checkVia(const std::string& via) {
  if (via != "cli" && via != "api" && via != "git") {
    throw InvalidInput("observed_via must be cli, api or git");
  }
}

void checkReason(const std::string& reason) {
  if (reason.empty() || reason.size() > 1024 || !core::isValidUtf8(reason)) {
    throw InvalidInput("reason must be 1-1024 bytes of UTF-8");
  }
}

std::string yesNo(bool b) { return b ? "yes" : "no"; }

std::string joinTexts(const std::vector<std::pair<core::Lang, std::string>>& texts) {
  std::string out;
  for (const auto& [lang, sha] : texts) {
    if (!out.empty()) out += ',';
    out += lang.str() + "=" + sha;
  }
  return out;
}

CanonicalEvent canonicalOf(const PublicationFacts& f) {
  CanonicalEvent e = CanonicalEvent::of(Kind::kEditionPublished);
  e.set("document", f.doc.str());
  e.set("edition", std::to_string(f.edition.value()));
  e.set("tag", f.tag);
  e.set("commit", f.commit.str());
  e.set("published_at", f.publishedAt);
  e.set("effective_from", f.effectiveFrom);
  e.set("material", yesNo(f.material));
  e.set("imported", yesNo(f.imported));
  e.set("texts", joinTexts(f.texts));
  e.set("registry_sha256", f.registrySha256);
  e.set("observed_via", f.observedVia);
  return e;
}

CanonicalEvent canonicalOf(const WithdrawalFacts& f) {
  CanonicalEvent e = CanonicalEvent::of(Kind::kEditionWithdrawn);
  e.set("document", f.doc.str());
  e.set("edition", std::to_string(f.edition.value()));
  e.set("tag", f.tag);
  e.set("withdrawn_at", f.withdrawnAt);
  e.set("reason", f.reason);
  e.set("observed_via", f.observedVia);
  return e;
}

std::string field(const DecodedEvent& d, std::string_view name) {
  return std::string(d.get(name).value_or(""));
}

PublicationFacts publicationOf(const DecodedEvent& d) {
  auto bad = [] { return StorageError("a stored edition.published event is malformed"); };
  auto doc = core::DocumentId::parse(field(d, "document"));
  auto edition = core::EditionNo::parse(field(d, "edition"));
  auto commit = core::CommitId::parse(field(d, "commit"));
  if (!doc || !edition || !commit) throw bad();
  PublicationFacts f{*doc,
                     *edition,
                     field(d, "tag"),
                     *commit,
                     field(d, "published_at"),
                     field(d, "effective_from"),
                     field(d, "material") == "yes",
                     field(d, "imported") == "yes",
                     {},
                     field(d, "registry_sha256"),
                     field(d, "observed_via")};
  std::string_view texts = d.get("texts").value_or("");
  while (!texts.empty()) {
    std::size_t comma = texts.find(',');
    std::string_view one = texts.substr(0, comma);
    std::size_t eq = one.find('=');
    auto lang = core::Lang::parse(one.substr(0, eq));
    if (!lang || eq == std::string_view::npos) throw bad();
    f.texts.emplace_back(*lang, std::string(one.substr(eq + 1)));
    texts = comma == std::string_view::npos ? std::string_view() : texts.substr(comma + 1);
  }
  return f;
}

WithdrawalFacts withdrawalOf(const DecodedEvent& d) {
  auto doc = core::DocumentId::parse(field(d, "document"));
  auto edition = core::EditionNo::parse(field(d, "edition"));
  if (!doc || !edition) throw StorageError("a stored edition.withdrawn event is malformed");
  return WithdrawalFacts{*doc,
                         *edition,
                         field(d, "tag"),
                         field(d, "withdrawn_at"),
                         field(d, "reason"),
                         field(d, "observed_via")};
}

EditionChanged::Fields fieldsOf(const CanonicalEvent& e) {
  EditionChanged::Fields out;
  const auto& names = fieldNames(e.kind);
  for (std::size_t i = kRecordedAtField + 1; i + 1 < names.size(); ++i) {
    out.emplace_back(std::string(names[i]), e.values[i].value_or("-"));
  }
  return out;
}

// The stored event of kind "kind" for (document, edition), if any: its bytes and hash.
std::optional<std::pair<std::string, std::string>> storedOf(Tx& tx, Kind kind,
                                                            const core::DocumentId& doc,
                                                            core::EditionNo edition) {
  std::string document = doc.str();
  Poco::Int64 no = edition.value();
  std::vector<Poco::Data::BLOB> bytes;
  std::vector<std::string> hash;
  // The kind written out, not bound: only then can the database use its partial index
  // (events_published, events_withdrawn) instead of scanning every event of the log.
  const std::string query =
      kind == Kind::kEditionPublished
          ? "SELECT bytes, hash FROM events WHERE kind = 'edition.published' AND document = ? AND "
            "edition = ?"
          : "SELECT bytes, hash FROM events WHERE kind = 'edition.withdrawn' AND document = ? AND "
            "edition = ?";
  tx.session << tx.dialect.sql(query), use(document), use(no), into(bytes), into(hash), now;
  if (bytes.empty()) return std::nullopt;
  return std::make_pair(blobText(bytes.front()), hash.front());
}

// Throws EditionChanged when "stored" and "observed" differ in any field but observed_via.
void compareFacts(const CanonicalEvent& stored, const CanonicalEvent& observed,
                  const std::string& what) {
  EditionChanged::Fields a = fieldsOf(stored), b = fieldsOf(observed);
  std::vector<std::string> differing;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != "observed_via" && a[i].second != b[i].second) differing.push_back(a[i].first);
  }
  if (differing.empty()) return;
  std::string names;
  for (const auto& n : differing) names += (names.empty() ? "" : ", ") + n;
  throw EditionChanged(what + " is chained with other facts (" + names + ")", std::move(a),
                       std::move(b), std::move(differing));
}

}  // namespace

PublicationFacts normalizePublication(const PublicationFacts& facts) {
  PublicationFacts f = facts;
  f.tag = lowerHex("tag", f.tag, 40);
  checkTime("published_at", f.publishedAt);
  checkTime("effective_from", f.effectiveFrom);
  if (f.texts.empty()) throw InvalidInput("a publication needs the SHA-256 of its texts");
  for (auto& [lang, sha] : f.texts) sha = lowerHex("text_sha256", sha, 64);
  std::sort(f.texts.begin(), f.texts.end(),
            [](const auto& x, const auto& y) { return x.first.str() < y.first.str(); });
  for (std::size_t i = 1; i < f.texts.size(); ++i) {
    if (f.texts[i].first.str() == f.texts[i - 1].first.str()) {
      throw InvalidInput("a language is listed twice in the texts");
    }
  }
  f.registrySha256 = lowerHex("registry_sha256", f.registrySha256, 64);
  checkVia(f.observedVia);
  return f;
}

WithdrawalFacts normalizeWithdrawal(const WithdrawalFacts& facts) {
  WithdrawalFacts f = facts;
  f.tag = lowerHex("tag", f.tag, 40);
  checkTime("withdrawn_at", f.withdrawnAt);
  checkReason(f.reason);
  checkVia(f.observedVia);
  return f;
}

Recorded<ChainedPublication> recordPublication(Tx& tx, const PublicationFacts& facts) {
  CanonicalEvent observed = canonicalOf(facts);
  const std::string what = facts.doc.str() + " " + facts.edition.str();
  if (auto stored = storedOf(tx, Kind::kEditionPublished, facts.doc, facts.edition)) {
    DecodedEvent d = decodeStored(stored->first, -1);
    compareFacts(d.owned(), observed, what);
    return {ChainedPublication{publicationOf(d), chainedOf(d, stored->second), std::nullopt},
            false};
  }
  Chained at = tx.append(observed);
  return {ChainedPublication{facts, at, std::nullopt}, true};
}

Recorded<ChainedWithdrawal> recordWithdrawal(Tx& tx, const WithdrawalFacts& facts) {
  const std::string what = facts.doc.str() + " " + facts.edition.str();
  if (!storedOf(tx, Kind::kEditionPublished, facts.doc, facts.edition)) {
    throw NotChained(what + " is not chained: its withdrawal cannot be");
  }
  CanonicalEvent observed = canonicalOf(facts);
  if (auto stored = storedOf(tx, Kind::kEditionWithdrawn, facts.doc, facts.edition)) {
    DecodedEvent d = decodeStored(stored->first, -1);
    compareFacts(d.owned(), observed, "the withdrawal of " + what);
    return {ChainedWithdrawal{withdrawalOf(d), chainedOf(d, stored->second)}, false};
  }
  Chained at = tx.append(observed);
  return {ChainedWithdrawal{facts, at}, true};
}

std::vector<ChainedPublication> publicationsOf(Session& s, const Dialect& d,
                                               const core::DocumentId& doc) {
  std::string document = doc.str();
  std::vector<Poco::Data::BLOB> bytes;
  std::vector<std::string> hash;
  std::vector<Poco::Int64> seq;
  // One query per kind, each on its partial index (events_published, events_withdrawn): a single
  // "kind IN (...)" matches neither, and would scan every event of the log.
  s << d.sql(
      "SELECT bytes, hash, seq FROM events WHERE kind = 'edition.published' AND document = ? "
      "UNION ALL SELECT bytes, hash, seq FROM events WHERE kind = 'edition.withdrawn' AND "
      "document = ? ORDER BY 3"),
      use(document), use(document), into(bytes), into(hash), into(seq), now;
  std::vector<ChainedPublication> out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::string text = blobText(bytes[i]);
    DecodedEvent e = decodeStored(text, -1);
    if (e.kind == Kind::kEditionPublished) {
      out.push_back({publicationOf(e), chainedOf(e, hash[i]), std::nullopt});
      continue;
    }
    WithdrawalFacts w = withdrawalOf(e);
    for (ChainedPublication& p : out) {
      if (p.facts.edition == w.edition) p.withdrawal = ChainedWithdrawal{w, chainedOf(e, hash[i])};
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.facts.edition < y.facts.edition; });
  return out;
}

std::vector<core::DocumentId> publishedDocumentsOf(Session& s, const Dialect& d) {
  std::vector<std::string> documents;
  s << d.sql(
      "SELECT DISTINCT document FROM events WHERE kind = 'edition.published' ORDER BY document"),
      into(documents), now;
  std::vector<core::DocumentId> out;
  for (const auto& text : documents) {
    auto doc = core::DocumentId::parse(text);
    if (!doc) throw StorageError("a stored edition.published event names no document");
    out.push_back(*doc);
  }
  return out;
}

}  // namespace charta::ledger::sql
