// The rules of the tags that record editions and withdrawals, as pure functions: the raw tag
// object git stores, the names charta reads, what a tag must be to count, and what a push of one
// must be on top. The same rules against real git: tests/repository (reading) and tests/record
// (pushes refused by the hook).

#include <doctest/doctest.h>

#include <string>

#include "core/publication.h"
#include "core/tag_object.h"
#include "core/trailers.h"

using namespace charta::core;
using namespace std::chrono;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }
DocumentId doc() { return *DocumentId::parse("personal-data"); }
EditionNo no(int n) { return *EditionNo::of(n); }
const std::string kCommit(40, 'c');
const std::string kTagId(40, 'a');

std::string said(const Refusal& r) { return r ? *r : ""; }

// The raw bytes of a tag object, as `git cat-file tag` prints them.
std::string rawTag(const std::string& name, const std::string& message,
                   const std::string& tagger = "Legal Team <legal@shop.test> 1795669200 +0500",
                   const std::string& type = "commit", const std::string& target = kCommit) {
  std::string raw = "object " + target + "\ntype " + type + "\ntag " + name + "\n";
  if (!tagger.empty()) raw += "tagger " + tagger + "\n";
  return raw + "\n" + message;
}

TagObject tagObject(const std::string& raw) {
  auto t = parseTagObject(raw);
  REQUIRE(t);
  return *t;
}

TagName name(const char* text) {
  auto n = parseTagName(text);
  REQUIRE(n);
  return *n;
}

// v3 published at 2026-11-26T10:00:00.250+05:00 (tagger second 1795669200), effective 1 December.
Edition published() {
  Edition e{doc(),
            no(3),
            *CommitId::parse(kCommit),
            at("2026-11-26T10:00:00.250+05:00"),
            at("2026-12-01T00:00:00+05:00"),
            kKazakhstanOffset,
            true,
            {*PurposeId::parse("marketing")},
            "Пункт 5.3",
            {"Legal Team", "legal@shop.test"},
            std::nullopt,
            std::nullopt};
  return e;
}

}  // namespace

TEST_CASE("a raw tag object: headers, the tagger's identity and time, the message") {
  TagObject t = tagObject(rawTag("personal-data/v3", "Publish personal-data v3\n\nKey: v\n"));
  CHECK(t.target == kCommit);
  CHECK(t.targetType == "commit");
  CHECK(t.name == "personal-data/v3");
  REQUIRE(t.tagger);
  CHECK(t.tagger->name == "Legal Team");
  CHECK(t.tagger->email == "legal@shop.test");
  CHECK(t.taggerTime == at("2026-11-26T10:00:00+05:00"));
  CHECK(t.taggerOffset == minutes{300});
  CHECK(t.message == "Publish personal-data v3\n\nKey: v\n");

  TagObject west = tagObject(rawTag("x", "m\n", "A <a@b> 0 -0130"));
  CHECK(west.taggerOffset == minutes{-90});
  TagObject anonymous = tagObject(rawTag("x", "m\n", ""));
  CHECK_FALSE(anonymous.tagger);
  // Unknown headers are skipped.
  CHECK(parseTagObject("object " + kCommit + "\ntype commit\ntag x\nencoding UTF-8\n\nm\n"));

  const char* broken[] = {
      "type commit\ntag x\n\nm\n",              // no object
      "object abc\ntype commit\ntag x\n\nm\n",  // not a full id
      "object {id}\ntype thing\ntag x\n\nm\n",  // not an object type
      "object {id}\ntype commit\n\nm\n",        // no name
      "object {id}\ntype commit\ntag x\ntagger A <a> now +0500\n\nm\n",
      "object {id}\ntype commit\ntag x\ntagger A <a> 1 +5\n\nm\n",
      "object {id}\ntype commit\ntag x\ntagger A a 1 +0500\n\nm\n",
      "object {id}\ntype commit\ntag x\n",                    // no end of headers
      "object {id}\nobject {id}\ntype commit\ntag x\n\nm\n",  // repeated
  };
  for (std::string raw : broken) {
    if (auto p = raw.find("{id}"); p != std::string::npos) raw.replace(p, 4, kCommit);
    if (auto p = raw.find("{id}"); p != std::string::npos) raw.replace(p, 4, kCommit);
    CAPTURE(raw);
    CHECK_FALSE(parseTagObject(raw));
  }
}

TEST_CASE("the names charta reads under refs/tags/") {
  struct Case {
    const char* name;
    const char* doc;
    int no;
    bool withdrawal;
  } cases[] = {
      {"personal-data/v3", "personal-data", 3, false},
      {"personal-data/withdrawn/v12", "personal-data", 12, true},
      {"personal-data/v03", nullptr, 0, false},
      {"personal-data/V3", nullptr, 0, false},
      {"personal-data/3", nullptr, 0, false},
      {"personal-data/v3/x", nullptr, 0, false},
      {"personal-data/withdrawn/v0", nullptr, 0, false},
      {"release-1", nullptr, 0, false},
      {"Personal/v1", nullptr, 0, false},
      {"/v1", nullptr, 0, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto n = parseTagName(c.name);
    REQUIRE(n.has_value() == (c.doc != nullptr));
    if (!n) continue;
    CHECK(n->doc.str() == c.doc);
    CHECK(n->no.value() == c.no);
    CHECK(n->withdrawal == c.withdrawal);
    CHECK(n->str() == c.name);
  }
}

TEST_CASE("an edition's tag: written with its moment to the millisecond, read back as it was") {
  const Edition e = published();
  const std::string message = editionMessage(e);
  CHECK(message ==
        "Publish personal-data v3\n\n"
        "Effective-From: 2026-12-01T00:00:00+05:00\n"
        "Published-At: 2026-11-26T10:00:00.250+05:00\n"
        "Material: yes\n"
        "Renew-Purposes: marketing\n"
        "Summary: Пункт 5.3\n");
  TagReading<Edition> read =
      readEditionTag(name("personal-data/v3"), tagObject(rawTag("personal-data/v3", message)));
  REQUIRE(read.value);
  CHECK_FALSE(read.refused);
  CHECK(read.value->publishedAt == e.publishedAt);
  CHECK(read.value->effectiveFrom == e.effectiveFrom);
  CHECK(read.value->effectiveOffset == kKazakhstanOffset);
  CHECK(read.value->commit == e.commit);
  CHECK(read.value->material);
  CHECK(read.value->renewPurposes == e.renewPurposes);
  CHECK(read.value->summary == e.summary);
  CHECK(read.value->publisher.name == "Legal Team");
  CHECK_FALSE(read.value->forcedReason);

  // A tag of an older charta has no Published-At: the tagger time is the moment.
  TagReading<Edition> old = readEditionTag(
      name("personal-data/v3"),
      tagObject(rawTag("personal-data/v3",
                       "Publish personal-data v3\n\nEffective-From: 2026-11-26T10:00:00+05:00\n"
                       "Material: no\n")));
  REQUIRE(old.value);
  CHECK(old.value->publishedAt == at("2026-11-26T10:00:00+05:00"));
}

TEST_CASE("a tag that breaks a rule of publication is not an edition, and says which") {
  const std::string good =
      "Publish personal-data v3\n\nEffective-From: 2026-12-01T00:00:00+05:00\n"
      "Published-At: 2026-11-26T10:00:00.250+05:00\nMaterial: no\n";
  struct Case {
    std::string raw;
    const char* why;
  } cases[] = {
      {rawTag("personal-data/v4", good), "the tag object is named \"personal-data/v4\""},
      {rawTag("personal-data/v3", good, "Legal <l@s> 1795669200 +0500", "tree"),
       "it points at a tree, not a commit"},
      {rawTag("personal-data/v3", good, ""), "it has no tagger"},
      {rawTag("personal-data/v3", "hand made\n\nEffective-From: 2026-12-01T00:00:00+05:00\n"),
       "its message does not open with \"Publish personal-data v3\""},
      {rawTag("personal-data/v3", "Publish personal-data v3\n"),
       "it states no valid Effective-From"},
      {rawTag("personal-data/v3", "Publish personal-data v3\n\nEffective-From: tomorrow\n"),
       "it states no valid Effective-From"},
      {rawTag("personal-data/v3",
              "Publish personal-data v3\n\nEffective-From: 2026-12-01T00:00:00\n"),
       "it states no valid Effective-From"},  // no offset
      {rawTag("personal-data/v3",
              "Publish personal-data v3\n\nEffective-From: 2026-12-01T00:00:00Z\nPublished-At: "
              "now\n"),
       "its Published-At is not a time with an offset"},
      // Issue 13: Effective-From months before the tagger time.
      {rawTag("personal-data/v3",
              "Publish personal-data v3\n\nEffective-From: 2026-06-01T00:00:00+05:00\n"),
       "effective-from 2026-06-01T00:00:00+05:00 is before the moment of publication "
       "2026-11-26T10:00:00+05:00"},
      // Within the tagger's second, but a millisecond before the moment Published-At states.
      {rawTag("personal-data/v3",
              "Publish personal-data v3\n\nEffective-From: 2026-11-26T10:00:00.249+05:00\n"
              "Published-At: 2026-11-26T10:00:00.250+05:00\n"),
       "effective-from 2026-11-26T10:00:00.249+05:00 is before the moment of publication "
       "2026-11-26T10:00:00.250+05:00"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    TagReading<Edition> r = readEditionTag(name("personal-data/v3"), tagObject(c.raw));
    CHECK_FALSE(r.value);
    CHECK(said(r.refused).find(c.why) != std::string::npos);
  }
  CHECK(said(readEditionTag(name("personal-data/withdrawn/v3"), tagObject(rawTag("x", good)))
                 .refused) == "it is named as a withdrawal");
}

TEST_CASE("editions are numbered in the order of publication") {
  Edition v2 = published();
  v2.no = no(2);
  Edition v3 = published();
  CHECK_FALSE(publicationOrder(v3, v2));  // the same moment: no order to break
  v3.publishedAt += milliseconds{1};
  CHECK_FALSE(publicationOrder(v3, v2));
  v3.publishedAt = v2.publishedAt - milliseconds{1};
  CHECK(said(publicationOrder(v3, v2)) ==
        "it was published at 2026-11-26T10:00:00.249+05:00, before v2 "
        "(2026-11-26T10:00:00.250+05:00): editions are numbered in the order of publication");
}

TEST_CASE("a withdrawal's tag: the edition's tag object, a reason, before the moment") {
  const Edition e = published();
  const std::string message = withdrawalMessage(
      doc(), no(3), "Ошибка в тексте", at("2026-11-30T23:59:59.999+05:00"), kKazakhstanOffset);
  CHECK(message ==
        "Withdraw personal-data v3\n\nReason: Ошибка в тексте\n"
        "Withdrawn-At: 2026-11-30T23:59:59.999+05:00\n");
  // Tagger time 2026-11-30T23:59:59+05:00 = 1796065199.
  const std::string tagger = "Legal <l@s> 1796065199 +0500";
  const TagName wname = name("personal-data/withdrawn/v3");
  auto read = readWithdrawalTag(
      wname, tagObject(rawTag("personal-data/withdrawn/v3", message, tagger, "tag", kTagId)), e,
      kTagId);
  REQUIRE(read.value);
  CHECK(read.value->at == at("2026-11-30T23:59:59.999+05:00"));
  CHECK(read.value->reason == "Ошибка в тексте");
  CHECK(read.value->by.name == "Legal");

  struct Case {
    std::string raw;
    const char* why;
  } cases[] = {
      {rawTag("personal-data/withdrawn/v3", message, tagger, "commit", kTagId),
       "it points at a commit, not a tag"},
      {rawTag("personal-data/withdrawn/v3", message, tagger, "tag", kCommit), "it points at cccc"},
      {rawTag("personal-data/withdrawn/v3", "Withdraw personal-data v3\n", tagger, "tag", kTagId),
       "a withdrawal needs a reason"},
      // At the moment itself: too late, to the millisecond.
      {rawTag("personal-data/withdrawn/v3",
              withdrawalMessage(doc(), no(3), "late", at("2026-12-01T00:00:00+05:00"),
                                kKazakhstanOffset),
              "Legal <l@s> 1796065200 +0500", "tag", kTagId),
       "it was made at 2026-12-01T00:00:00+05:00: edition v3 of personal-data took effect"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    auto r = readWithdrawalTag(wname, tagObject(c.raw), e, kTagId);
    CHECK_FALSE(r.value);
    CHECK(said(r.refused).find(c.why) != std::string::npos);
  }
}

TEST_CASE("a push: the next number, made when it is received, a withdrawal in good time") {
  const Edition e = published();
  const seconds skew{5};
  const Instant received = e.publishedAt + seconds{2};
  CHECK_FALSE(pushedEdition(e, no(3), received, skew));
  CHECK_FALSE(pushedEdition(e, no(3), e.publishedAt - seconds{5}, skew));  // a clock a bit ahead
  CHECK(said(pushedEdition(e, no(2), received, skew)) ==
        "the next edition of personal-data is v2, not v3");
  CHECK(said(pushedEdition(e, no(3), e.publishedAt + milliseconds{5001}, skew))
            .find("it says it was published at 2026-11-26T10:00:00.250+05:00 but reached the "
                  "server at 2026-11-26T10:00:05.251+05:00, more than 5 s apart") == 0);
  CHECK(pushedEdition(e, no(3), e.publishedAt - milliseconds{5001}, skew));

  const Withdrawal w{at("2026-11-30T00:00:00+05:00"), {"Legal", ""}, "mistake"};
  CHECK_FALSE(pushedWithdrawal(e, w, w.at + seconds{1}, skew));
  CHECK(said(pushedWithdrawal(e, w, e.effectiveFrom, skew)).find("took effect") !=
        std::string::npos);
  const Withdrawal late{e.effectiveFrom - seconds{3}, {"Legal", ""}, "mistake"};
  CHECK(said(pushedWithdrawal(e, late, late.at, skew))
            .find("less than 5 s after this push: withdraw it with charta on the server") !=
        std::string::npos);
  CHECK(pushedWithdrawal(e, w, w.at + seconds{6}, skew));

  CHECK(said(tagRefChange(true)) ==
        "deleting it is refused: editions and withdrawals are never deleted or moved");
  CHECK(said(tagRefChange(false)).find("moving it is refused") == 0);
}

TEST_CASE("an imported edition: effective before its import, never after; after no published one") {
  Edition e = published();
  e.imported = true;
  e.effectiveFrom = at("2015-02-20T09:00:00-08:00");
  e.effectiveOffset = minutes{-480};
  e.registryAt = *CommitId::parse(std::string(40, 'b'));
  const std::string message = editionMessage(e);
  CHECK(message.find("\nImported: yes\n") != std::string::npos);
  CHECK(message.find("Registry-At: " + std::string(40, 'b')) != std::string::npos);
  TagReading<Edition> read =
      readEditionTag(name("personal-data/v3"), tagObject(rawTag("personal-data/v3", message)));
  REQUIRE(read.value);
  CHECK(read.value->imported);
  CHECK(read.value->registryAt == e.registryAt);
  CHECK(read.value->effectiveFrom == e.effectiveFrom);

  // The same trailers without "Imported: yes": backdated, no edition.
  Edition plain = e;
  plain.imported = false;
  plain.registryAt.reset();
  CHECK_FALSE(readEditionTag(name("personal-data/v3"),
                             tagObject(rawTag("personal-data/v3", editionMessage(plain))))
                  .value);
  // Imported, yet effective after the import.
  Edition later = e;
  later.effectiveFrom = at("2027-01-01T00:00:00+05:00");
  TagReading<Edition> late = readEditionTag(
      name("personal-data/v3"), tagObject(rawTag("personal-data/v3", editionMessage(later))));
  CHECK(said(late.refused).find("after its import") != std::string::npos);

  // Only before the first edition charta published; never pushed.
  Edition before = published();
  CHECK(said(publicationOrder(*read.value, before)).find("imported after v3") != std::string::npos);
  Edition previous = *read.value;
  CHECK_FALSE(publicationOrder(*read.value, previous));
  CHECK(said(pushedEdition(*read.value, no(3), read.value->publishedAt, seconds{60}))
            .find("charta import") != std::string::npos);
}
