// Pure parts of the ledger: the hash format, request digests, URIs, validation, and the chain
// checker fed with rows in memory.

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "ledger/chain.h"
#include "ledger/fixtures.h"
#include "ledger/location.h"
#include "ledger/validate.h"
#include "ledger/verify.h"

using namespace charta;
using namespace charta::ledger;

namespace {

ChainFields sampleFields() {
  ChainFields f;
  f.id = "3f0c2b9e-8a4d-4c1e-9b7a-5d6e7f809112";
  f.seq = "1";
  f.subject = "u-1842";
  f.document = "personal-data";
  f.edition = "3";
  f.commit = std::string(40, 'c');
  f.textSha256 = std::string(64, 'a');
  f.language = "ru";
  f.purposes = "advertising,marketing";
  f.eventType = "given";
  f.recordedAt = "1772337600000";
  f.collectionMethod = "web-form";
  f.formId = "checkout";
  f.evidence = R"({"ip":"203.0.113.7"})";
  f.requestDigest = std::string(64, 'd');
  f.prevHash = std::string(kGenesisHash);
  return f;
}

}  // namespace

TEST_CASE("the canonical form and hash are exactly as documented in chain.h") {
  const std::string expected =
      "charta-consent-event/1\n"
      "id:36:3f0c2b9e-8a4d-4c1e-9b7a-5d6e7f809112\n"
      "seq:1:1\n"
      "subject:6:u-1842\n"
      "document:13:personal-data\n"
      "edition:1:3\n"
      "commit:40:" +
      std::string(40, 'c') +
      "\n"
      "text_sha256:64:" +
      std::string(64, 'a') +
      "\n"
      "page_sha256:-\n"
      "language:2:ru\n"
      "purposes:21:advertising,marketing\n"
      "event_type:5:given\n"
      "recorded_at:13:1772337600000\n"
      "collection_method:8:web-form\n"
      "form_id:8:checkout\n"
      "evidence:20:{\"ip\":\"203.0.113.7\"}\n"
      "idempotency_key:-\n"
      "request_digest:64:" +
      std::string(64, 'd') +
      "\n"
      "prev_hash:64:" +
      std::string(64, '0') + "\n";
  CHECK(canonicalBytes(sampleFields()) == expected);
  // Computed independently (Python hashlib over the bytes above).
  CHECK(chainHash(sampleFields()) ==
        "a324f77d5a2354dd858286da7daa378a5af58b2cacb2736bf3abe46d024eeffe");
}

TEST_CASE("request digest vector: the documented encoding, hashed independently") {
  // hashlib.sha256 over "charta-consent-request/1\nsubject:3:u-1\n..." built by hand from the
  // format in chain.h, for the fixtures' request.
  NewEvent e = normalize(charta::ledger::testing::request("u-1"));
  CHECK(requestDigest(e) == "75fafb55f590495873608b90240f1c14011ebf3d9ab58f602bf84d3c20b5a456");
}

TEST_CASE("length prefixes keep field boundaries unambiguous") {
  ChainFields a = sampleFields(), b = sampleFields();
  a.subject = "u-1";
  a.formId = "2checkout";
  b.subject = "u-12";
  b.formId = "checkout";
  CHECK(chainHash(a) != chainHash(b));
  ChainFields absent = sampleFields(), empty = sampleFields();
  absent.formId.reset();
  empty.formId = "";
  CHECK(chainHash(absent) != chainHash(empty));
}

TEST_CASE("request digest: normalized request, every field counts, the key does not") {
  using charta::ledger::testing::request;
  NewEvent base = normalize(request("u-1", {"marketing", "advertising"}));
  NewEvent swapped = normalize(request("u-1", {"advertising", "marketing", "marketing"}));
  CHECK(requestDigest(base) == requestDigest(swapped));
  NewEvent keyed = base;
  keyed.idempotencyKey = "k-1";
  CHECK(requestDigest(base) == requestDigest(keyed));

  std::vector<std::function<void(NewEvent&)>> changes = {
      [](NewEvent& e) { e.subject = "u-2"; },
      [](NewEvent& e) { e.doc = *core::DocumentId::parse("terms"); },
      [](NewEvent& e) { e.edition = *core::EditionNo::of(2); },
      [](NewEvent& e) { e.commit = *core::CommitId::parse(std::string(40, 'e')); },
      [](NewEvent& e) { e.textSha256 = std::string(64, 'f'); },
      [](NewEvent& e) { e.pageSha256.reset(); },
      [](NewEvent& e) { e.lang = *core::Lang::parse("kk"); },
      [](NewEvent& e) { e.purposes.pop_back(); },
      [](NewEvent& e) { e.type = EventType::kWithdrawn; },
      [](NewEvent& e) { e.collectionMethod = "api"; },
      [](NewEvent& e) { e.formId.reset(); },
      [](NewEvent& e) { e.evidence = "{}"; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    CAPTURE(i);
    NewEvent changed = base;
    changes[i](changed);
    CHECK(requestDigest(changed) != requestDigest(base));
  }
}

TEST_CASE("ledger URIs become a backend and a target") {
  struct Case {
    const char* uri;
    bool postgres;
    const char* target;
  };
  const Case cases[] = {
      {"sqlite:var/consents.db", false, "var/consents.db"},
      {"sqlite:///srv/charta/consents.db", false, "/srv/charta/consents.db"},
      {"consents.db", false, "consents.db"},
      {"/abs/consents.db", false, "/abs/consents.db"},
      {"postgresql://charta@127.0.0.1:5433/ledger", true,
       "host='127.0.0.1' port='5433' user='charta' dbname='ledger'"},
      {"postgres://db.internal/ledger", true, "host='db.internal' dbname='ledger'"},
      {"postgresql://u%40x:p%27w%5Cd@[::1]:5432/my%20db?sslmode=require&connect_timeout=5", true,
       "host='::1' port='5432' user='u@x' password='p\\'w\\\\d' dbname='my db' "
       "sslmode='require' connect_timeout='5'"},
      {"postgresql:///ledger?host=/run/postgresql", true, "dbname='ledger' host='/run/postgresql'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.uri);
    Location l = parseLocation(c.uri);
    CHECK((l.backend == Location::Backend::kPostgresql) == c.postgres);
    CHECK(l.target == c.target);
  }
  for (const char* bad :
       {"", "sqlite:", "mysql://h/db", "postgresql://h:99999/db", "postgresql://h:x/db",
        "postgresql://h/db?bad-key=1", "postgresql://h/db?novalue", "postgresql://h/d%zz",
        "postgresql://[::1/db"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parseLocation(bad), InvalidInput);
  }
}

TEST_CASE("evidence must be one small JSON object") {
  struct Case {
    std::string text;
    bool ok;
  };
  const Case cases[] = {
      {"{}", true},
      {R"({"user_agent":"Mozilla/5.0","ip":"203.0.113.7","screen":{"w":390,"h":844}})", true},
      {R"({"текст":"да"})", true},
      {"[]", false},
      {"\"text\"", false},
      {"42", false},
      {"null", false},
      {"", false},
      {"{", false},
      {"{\"a\":1", false},
      {"{\"a\":\"\xff\"}", false},
      {"{\"pad\":\"" + std::string(4096, 'x') + "\"}", false},
      {"{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}", false},
      {R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})", true},  // brackets inside a string
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(isEvidenceObject(c.text) == c.ok);
  }
}

// ---- ChainChecker on rows in memory ----

namespace {

std::vector<StoredRow> chain(int n) {
  std::vector<StoredRow> rows;
  std::string prev(kGenesisHash);
  for (int i = 1; i <= n; ++i) {
    StoredRow r;
    r.seq = i;
    r.fields = sampleFields();
    r.fields.id = "00000000-0000-4000-8000-" + std::string(11, '0') + std::to_string(i % 10);
    r.fields.seq = std::to_string(i);
    r.fields.subject = "u-" + std::to_string(i);
    r.fields.prevHash = prev;
    r.hash = chainHash(r.fields);
    prev = r.hash;
    rows.push_back(r);
  }
  return rows;
}

std::string check(const std::vector<StoredRow>& rows, std::int64_t headSeq,
                  const std::string& headHash) {
  ChainChecker c(headSeq, headHash);
  std::vector<StoredRow> sorted = rows;
  std::sort(sorted.begin(), sorted.end(),
            [](const StoredRow& a, const StoredRow& b) { return a.seq < b.seq; });
  for (const auto& r : sorted) c.first(r);
  if (c.needsSecondPass()) {
    for (const auto& r : sorted) c.second(r.seq, r.hash, r.fields.prevHash);
  }
  VerifyReport report = c.finish();
  CHECK(report.ok == report.findings.empty());
  std::string out;
  for (const auto& f : report.findings) {
    if (!out.empty()) out += ' ';
    out += std::string(findingKindName(f.kind)) + "@" + std::to_string(f.seq);
  }
  return out;
}

}  // namespace

TEST_CASE("chain checker: each kind of tampering, named where it happened") {
  const auto intact = chain(8);
  const std::string head = intact.back().hash;
  struct Case {
    const char* name;
    std::function<void(std::vector<StoredRow>&, std::int64_t&, std::string&)> tamper;
    const char* expected;
  };
  const Case cases[] = {
      {"intact", [](auto&, auto&, auto&) {}, ""},
      {"empty ledger",
       [](auto& rows, auto& hs, auto& hh) {
         rows.clear();
         hs = 0;
         hh = std::string(kGenesisHash);
       },
       ""},
      {"a field changed", [](auto& rows, auto&, auto&) { rows[2].fields.purposes = "x"; },
       "changed@3"},
      {"a hash changed", [](auto& rows, auto&, auto&) { rows[4].hash[0] ^= 1; },
       "changed@5 broken_link@6"},
      {"a middle row removed", [](auto& rows, auto&, auto&) { rows.erase(rows.begin() + 3); },
       "removed@4"},
      {"three rows removed",
       [](auto& rows, auto&, auto&) { rows.erase(rows.begin() + 2, rows.begin() + 5); },
       "removed@3"},
      {"the newest row removed", [](auto& rows, auto&, auto&) { rows.pop_back(); }, "removed@8"},
      {"the first row removed", [](auto& rows, auto&, auto&) { rows.erase(rows.begin()); },
       "removed@1"},
      {"a row appended beyond the head",
       [](auto& rows, auto&, auto&) {
         StoredRow forged = rows.back();
         forged.seq = 9;
         forged.fields.seq = "9";
         forged.fields.prevHash = rows.back().hash;
         forged.hash = chainHash(forged.fields);
         rows.push_back(forged);
       },
       "inserted@9"},
      {"two rows swapped",
       [](auto& rows, auto&, auto&) {
         std::swap(rows[2].seq, rows[3].seq);
         std::swap(rows[2].fields.seq, rows[3].fields.seq);
       },
       "reordered@3 reordered@4"},
      {"three rows rotated",
       [](auto& rows, auto&, auto&) {
         // seq 2, 3, 4 now hold the events chained at 3, 4, 2
         StoredRow a = rows[1], b = rows[2], c = rows[3];
         b.seq = 2, b.fields.seq = "2";
         c.seq = 3, c.fields.seq = "3";
         a.seq = 4, a.fields.seq = "4";
         rows[1] = b, rows[2] = c, rows[3] = a;
       },
       "reordered@2 reordered@3 reordered@4"},
      {"a row changed and re-hashed",
       [](auto& rows, auto&, auto&) {
         rows[5].fields.subject = "other";
         rows[5].hash = chainHash(rows[5].fields);
       },
       "broken_link@7"},
      {"the newest row changed and re-hashed",
       [](auto& rows, auto&, auto&) {
         rows[7].fields.subject = "other";
         rows[7].hash = chainHash(rows[7].fields);
       },
       "broken_link@8"},
      {"the chain head moved back",
       [](auto& rows, auto& hs, auto& hh) {
         hs = 6;
         hh = rows[5].hash;
       },
       "inserted@7 inserted@8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto rows = intact;
    std::int64_t headSeq = 8;
    std::string headHash = head;
    c.tamper(rows, headSeq, headHash);
    CHECK(check(rows, headSeq, headHash) == c.expected);
  }
}
