// The one JSON of each thing: what `charta --json` prints and the API sends.
#include <doctest/doctest.h>

#include <Poco/JSON/Parser.h>

#include "service/views.h"

using namespace charta;

namespace {

Poco::JSON::Object::Ptr parsed(const Poco::JSON::Object::Ptr& o) {
  return Poco::JSON::Parser().parse(service::toJsonText(o)).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST_CASE("a lint finding names an absent line or clause as null, never 0 or an empty string") {
  core::LintFinding whole{core::Severity::kError,
                          "missing-text",
                          "personal-data/kk.md",
                          0,
                          "",
                          "the text is missing",
                          "add it",
                          "",
                          ""};
  auto o = parsed(service::lintFindingJson(whole));
  CHECK(o->isNull("line"));
  CHECK(o->isNull("clause"));
  CHECK(o->isNull("inherited_from"));
  CHECK(o->getValue<bool>("blocks"));

  core::LintFinding at{core::Severity::kError,
                       "numbering",
                       "personal-data/ru.md",
                       95,
                       "7.1",
                       "7.1.. is malformed",
                       "write 7.1.",
                       "7.1..",
                       "v1"};
  o = parsed(service::lintFindingJson(at));
  CHECK(o->getValue<int>("line") == 95);
  CHECK(o->getValue<std::string>("clause") == "7.1");
  CHECK(o->getValue<std::string>("inherited_from") == "v1");
  CHECK_FALSE(o->getValue<bool>("blocks"));

  // The refusal of a publication lists only what blocks, in the same shape.
  core::LintReport report{{whole, at}};
  auto blocking = service::lintFindingsJson(report, true);
  REQUIRE(blocking->size() == 1);
  CHECK(blocking->getObject(0)->getValue<std::string>("rule") == "missing-text");
  CHECK(service::lintFindingsJson(report, false)->size() == 2);
}

TEST_CASE("an edition names its withdrawal as null until it has one") {
  core::Edition e{*core::DocumentId::parse("personal-data"),
                  *core::EditionNo::of(2),
                  *core::CommitId::parse(std::string(40, 'b')),
                  *core::parseRfc3339("2026-02-01T00:00:00+05:00"),
                  *core::parseRfc3339("2026-03-01T00:00:00+05:00"),
                  core::kKazakhstanOffset,
                  true,
                  {*core::PurposeId::parse("marketing")},
                  "Clause 5.3",
                  {"Legal", "legal@shop.kz"},
                  std::nullopt,
                  std::nullopt};
  core::Timeline tl({e});
  auto o = parsed(service::editionJson(e, tl, *core::parseRfc3339("2026-02-15T00:00:00+05:00")));
  CHECK(o->getValue<std::string>("edition") == "v2");
  CHECK(o->getValue<int>("number") == 2);
  CHECK(o->getValue<std::string>("status") == "upcoming");
  CHECK(o->getValue<std::string>("effective_from") == "2026-03-01T00:00:00+05:00");
  CHECK(o->isNull("withdrawal"));
  CHECK_FALSE(o->has("forced"));
}
