#include <doctest/doctest.h>

#include <string>

#include "core/consent.h"

using namespace charta::core;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }
DocumentId doc(const char* id = "personal-data") { return *DocumentId::parse(id); }
PurposeId pid(const char* id) { return *PurposeId::parse(id); }

Edition edition(int no, const char* published, const char* effective, bool material = false,
                std::vector<PurposeId> renew = {}) {
  return Edition{doc(),
                 *EditionNo::of(no),
                 *CommitId::parse(std::string(40, static_cast<char>('0' + no % 10))),
                 at(published),
                 at(effective),
                 kKazakhstanOffset,
                 material,
                 std::move(renew),
                 {},
                 {},
                 std::nullopt,
                 std::nullopt};
}

ConsentFact fact(std::int64_t seq, ConsentEventType type, int edition, std::vector<PurposeId> ps,
                 const char* when, const char* document = "personal-data") {
  return ConsentFact{seq, type, doc(document), *EditionNo::of(edition), std::move(ps), at(when)};
}

// The clauses of the seed policy that need consent.
const std::vector<Purpose> kCatalogue = {
    {pid("account"), "4.1.6", "Создание учетной записи"},
    {pid("marketing"), "4.1.10", "Рассылки и специальные предложения"},
    {pid("advertising"), "4.1.11", "Рекламная деятельность"},
};

// "account=given@1 marketing=renewal_required@1>2 advertising=never_given", for compact tables.
std::string summary(const ConsentStatus& s) {
  std::string out;
  for (const auto& p : s.purposes) {
    if (!out.empty()) out += ' ';
    out += p.purpose.str() + "=" + std::string(purposeStateName(p.state));
    if (p.givenUnder && p.state != PurposeState::kNeverGiven) {
      out += "@" + std::to_string(p.givenUnder->value());
    }
    if (p.renewalFor) out += ">" + std::to_string(p.renewalFor->value());
  }
  if (s.blocked) out += " BLOCKED";
  return out;
}

}  // namespace

TEST_CASE("give under v1, material v2 asks for marketing again, give under v2") {
  Timeline tl({edition(1, "2026-01-01T00:00:00+05:00", "2026-01-01T00:00:00+05:00"),
               edition(2, "2026-02-01T00:00:00+05:00", "2026-03-01T00:00:00+05:00", true,
                       {pid("marketing")})});
  std::vector<ConsentFact> events = {
      fact(1, ConsentEventType::kGiven, 1, {pid("account"), pid("marketing")},
           "2026-01-10T12:00:00+05:00"),
      fact(2, ConsentEventType::kGiven, 2, {pid("marketing")}, "2026-03-05T09:00:00+05:00"),
  };
  struct Case {
    const char* now;
    int inForce;
    const char* expected;
  };
  const Case cases[] = {
      {"2026-01-05T00:00:00+05:00", 1,
       "account=never_given marketing=never_given advertising=never_given"},
      {"2026-01-10T12:00:00+05:00", 1, "account=given@1 marketing=given@1 advertising=never_given"},
      // v2 published but not yet in force: nothing to renew yet.
      {"2026-02-15T00:00:00+05:00", 1, "account=given@1 marketing=given@1 advertising=never_given"},
      {"2026-02-28T23:59:59.999+05:00", 1,
       "account=given@1 marketing=given@1 advertising=never_given"},
      // v2 takes effect: marketing only must be asked again.
      {"2026-03-01T00:00:00+05:00", 2,
       "account=given@1 marketing=renewal_required@1>2 advertising=never_given"},
      {"2026-03-05T08:59:59+05:00", 2,
       "account=given@1 marketing=renewal_required@1>2 advertising=never_given"},
      {"2026-03-05T09:00:00+05:00", 2, "account=given@1 marketing=given@2 advertising=never_given"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.now);
    ConsentStatus s = consentStatus(events, doc(), tl, kCatalogue, at(c.now));
    REQUIRE(s.inForce);
    CHECK(s.inForce->value() == c.inForce);
    CHECK(summary(s) == c.expected);
  }
}

TEST_CASE("renewal rule: which later editions ask again") {
  const char* v1From = "2026-01-01T00:00:00Z";
  struct Case {
    const char* name;
    std::vector<Edition> editions;
    std::vector<ConsentFact> events;
    const char* now;
    const char* expected;
  };
  auto withdrawnEdition = [&](Edition e, const char* when) {
    e.withdrawal = Withdrawal{at(when), {}, "not needed"};
    return e;
  };
  const Case cases[] = {
      {"non-material v2 asks nothing",
       {edition(1, v1From, v1From),
        edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", false, {pid("marketing")})},
       {fact(1, ConsentEventType::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z")},
       "2026-03-01T00:00:00Z",
       "account=never_given marketing=given@1 advertising=never_given"},
      {"material v2 naming another purpose",
       {edition(1, v1From, v1From),
        edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", true, {pid("advertising")})},
       {fact(1, ConsentEventType::kGiven, 1, {pid("marketing"), pid("advertising")},
             "2026-01-02T00:00:00Z")},
       "2026-03-01T00:00:00Z",
       "account=never_given marketing=given@1 advertising=renewal_required@1>2"},
      {"given under v1 while v2 was already in force still needs renewal",
       {edition(1, v1From, v1From),
        edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", true, {pid("marketing")})},
       {fact(1, ConsentEventType::kGiven, 1, {pid("marketing")}, "2026-02-10T00:00:00Z")},
       "2026-03-01T00:00:00Z",
       "account=never_given marketing=renewal_required@1>2 advertising=never_given"},
      {"a scheduled material edition withdrawn before it took effect asks nothing",
       {edition(1, v1From, v1From),
        withdrawnEdition(
            edition(2, "2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z", true, {pid("marketing")}),
            "2026-03-01T00:00:00Z")},
       {fact(1, ConsentEventType::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z")},
       "2026-05-01T00:00:00Z",
       "account=never_given marketing=given@1 advertising=never_given"},
      {"two material editions: the newest is named",
       {edition(1, v1From, v1From),
        edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", true, {pid("marketing")}),
        edition(3, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", true, {pid("marketing")})},
       {fact(1, ConsentEventType::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z")},
       "2026-04-01T00:00:00Z",
       "account=never_given marketing=renewal_required@1>3 advertising=never_given"},
      {"given under v2 after material v2: v2 itself asks nothing",
       {edition(1, v1From, v1From),
        edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", true, {pid("marketing")})},
       {fact(1, ConsentEventType::kGiven, 2, {pid("marketing")}, "2026-02-02T00:00:00Z")},
       "2026-03-01T00:00:00Z",
       "account=never_given marketing=given@2 advertising=never_given"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Timeline tl(c.editions);
    CHECK(summary(consentStatus(c.events, doc(), tl, kCatalogue, at(c.now))) == c.expected);
  }
}

TEST_CASE("withdrawal, other documents, blocking") {
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")});
  using T = ConsentEventType;
  struct Case {
    const char* name;
    std::vector<ConsentFact> events;
    const char* expected;
  };
  const Case cases[] = {
      {"withdrawn after given",
       {fact(1, T::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z"),
        fact(2, T::kWithdrawn, 1, {pid("marketing")}, "2026-01-03T00:00:00Z")},
       "account=never_given marketing=withdrawn@1 advertising=never_given"},
      {"given again after withdrawal",
       {fact(1, T::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z"),
        fact(2, T::kWithdrawn, 1, {pid("marketing")}, "2026-01-03T00:00:00Z"),
        fact(3, T::kGiven, 1, {pid("marketing")}, "2026-01-04T00:00:00Z")},
       "account=never_given marketing=given@1 advertising=never_given"},
      {"a withdrawal without a consent leaves it never given",
       {fact(1, T::kWithdrawn, 1, {pid("marketing")}, "2026-01-03T00:00:00Z")},
       "account=never_given marketing=never_given advertising=never_given"},
      {"events of another document are ignored",
       {fact(1, T::kGiven, 1, {pid("marketing")}, "2026-01-02T00:00:00Z", "terms")},
       "account=never_given marketing=never_given advertising=never_given"},
      {"events after now are ignored",
       {fact(1, T::kGiven, 1, {pid("marketing")}, "2027-01-02T00:00:00Z")},
       "account=never_given marketing=never_given advertising=never_given"},
      {"blocked (under any document)",
       {fact(1, T::kGiven, 1, {pid("account")}, "2026-01-02T00:00:00Z"),
        fact(2, T::kBlocked, 1, {}, "2026-01-03T00:00:00Z", "terms")},
       "account=given@1 marketing=never_given advertising=never_given BLOCKED"},
      {"blocked then unblocked",
       {fact(1, T::kBlocked, 1, {}, "2026-01-03T00:00:00Z"),
        fact(2, T::kUnblocked, 1, {}, "2026-01-04T00:00:00Z")},
       "account=never_given marketing=never_given advertising=never_given"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    ConsentStatus s = consentStatus(c.events, doc(), tl, kCatalogue, at("2026-06-01T00:00:00Z"));
    CHECK(summary(s) == c.expected);
    CHECK(s.blocked == isBlocked(c.events, at("2026-06-01T00:00:00Z")));
  }
}

TEST_CASE("status before the first edition") {
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")});
  ConsentStatus s = consentStatus({}, doc(), tl, kCatalogue, at("2025-01-01T00:00:00Z"));
  CHECK_FALSE(s.inForce);
  CHECK(s.purposes.size() == 3);
}

TEST_CASE("event type names round-trip") {
  for (auto t : {ConsentEventType::kGiven, ConsentEventType::kWithdrawn, ConsentEventType::kBlocked,
                 ConsentEventType::kUnblocked}) {
    CHECK((parseConsentEventType(eventTypeName(t)) == t));
  }
  CHECK_FALSE(parseConsentEventType("Given"));
  CHECK_FALSE(parseConsentEventType(""));
}

TEST_CASE("subject validation") {
  struct Case {
    std::string subject;
    bool ok;
  };
  const Case cases[] = {
      {"u-1842", true},
      {"пользователь@example.kz", true},
      {"sha256:" + std::string(64, 'a'), true},
      {std::string(128, 'x'), true},
      {std::string(129, 'x'), false},
      {std::string(64, '\xd0'), false},           // lead bytes without continuation
      {std::string(64, 'x') + "\xd0\xbf", true},  // "п" at the end, 66 bytes
      {"", false},
      {"a\nb", false},
      {"a\tb", false},
      {std::string("a\0b", 3), false},
      {"a\x7f", false},
      {"a\xc2\x85", false},         // NEL, a C1 control
      {"\xc0\xaf", false},          // overlong "/"
      {"\xed\xa0\x80", false},      // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", false},  // above U+10FFFF
      {"\xe2\x82", false},          // truncated
      {"\x80", false},              // stray continuation
      {"\xf0\x9f\x99\x82", true},   // an emoji
  };
  for (const auto& c : cases) {
    CAPTURE(c.subject);
    CHECK(isValidSubject(c.subject) == c.ok);
  }
}

TEST_CASE("tokens, collection methods, hashes") {
  CHECK(isValidCollectionMethod("web-form"));
  CHECK(isValidCollectionMethod("api"));
  CHECK(isValidCollectionMethod("import"));
  CHECK_FALSE(isValidCollectionMethod("Web-Form"));
  CHECK_FALSE(isValidCollectionMethod("-api"));
  CHECK_FALSE(isValidCollectionMethod("web form"));
  CHECK_FALSE(isValidCollectionMethod(""));
  CHECK_FALSE(isValidCollectionMethod(std::string(33, 'a')));
  CHECK(isValidToken("checkout/v2:step-3"));
  CHECK(isValidToken(std::string(128, 'k')));
  CHECK_FALSE(isValidToken(std::string(129, 'k')));
  CHECK_FALSE(isValidToken("a b"));
  CHECK_FALSE(isValidToken(""));
  CHECK_FALSE(isValidToken("ключ"));
  CHECK(isSha256Hex(std::string(64, 'a')));
  CHECK_FALSE(isSha256Hex(std::string(64, 'A')));
  CHECK_FALSE(isSha256Hex(std::string(63, 'a')));
  CHECK_FALSE(isSha256Hex(std::string(64, 'g')));
}
