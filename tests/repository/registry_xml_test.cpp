#include <doctest/doctest.h>

#include "core/error.h"
#include "repository/registry_xml.h"
#include "support/sandbox.h"

using namespace charta;
using repository::parseRegistry;

TEST_CASE("the charta.xml of policies/ is valid") {
  auto reg = parseRegistry(testing::slurp(testing::sourceDir() / "policies/charta.xml"));
  REQUIRE(reg.documents.size() == 1);
  const auto& d = reg.documents[0];
  CHECK(d.id.str() == "personal-data");
  CHECK(d.route == "/personal-data");
  CHECK(d.controllingLang.str() == "ru");
  CHECK(*d.file(d.controllingLang) == "personal-data/ru.md");
  REQUIRE(d.purposes.size() == 3);
  CHECK(d.purpose(*core::PurposeId::parse("account"))->clause == "4.1.6");
  CHECK(d.purpose(*core::PurposeId::parse("marketing"))->clause == "4.1.10");
  CHECK(d.purpose(*core::PurposeId::parse("advertising"))->clause == "4.1.11");
  CHECK(reg.baseUrl == "https://lada-kazakhstan.kz");
}

TEST_CASE("invalid registries are refused with the rule they break") {
  auto doc = [](const std::string& attrs, const std::string& inner) {
    return "<charta version=\"1\"><document " + attrs + ">" + inner + "</document></charta>";
  };
  const std::string text = "<text lang=\"ru\" path=\"p/ru.md\"/>";
  struct Case {
    std::string xml;
    const char* message;  // a part of the error
  };
  const Case cases[] = {
      {"<charta version=\"1\"><document", "not well-formed"},
      {"<policies/>", "root element"},
      {"<charta version=\"2\"/>", "unsupported version"},
      {"<charta version=\"1\"/>", "no <document>"},
      {doc("id=\"Bad Id\" controlling-lang=\"ru\"", text), "not a lower-case slug"},
      {doc("id=\"p\" controlling-lang=\"ru\" route=\"/api/x\"", text), "reserved"},
      {doc("id=\"p\" controlling-lang=\"ru\" route=\"x\"", text), "route"},
      {doc("id=\"p\" controlling-lang=\"kk\"", text), "controlling language \"kk\" has no"},
      {doc("id=\"p\" controlling-lang=\"r\"", text), "not a language tag"},
      {doc("id=\"p\" controlling-lang=\"ru\"", "<text lang=\"ru\" path=\"../etc/passwd\"/>"),
       "safe relative path"},
      {doc("id=\"p\" controlling-lang=\"ru\"", "<text lang=\"ru\" path=\"/abs.md\"/>"),
       "safe relative path"},
      {doc("id=\"p\" controlling-lang=\"ru\"", text + text), "two texts"},
      {doc("id=\"p\" controlling-lang=\"ru\"",
           text + "<purposes><purpose id=\"m\" clause=\"4.1.\"/></purposes>"),
       "not a clause number"},
      {doc("id=\"p\" controlling-lang=\"ru\"",
           text + "<purposes><purpose id=\"m\" clause=\"4\"/><purpose id=\"m\" clause=\"5\"/>"
                  "</purposes>"),
       "declared twice"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.xml);
    try {
      parseRegistry(c.xml);
      FAIL("accepted");
    } catch (const InvalidInput& e) {
      CHECK(std::string(e.what()).find(c.message) != std::string::npos);
      CHECK(std::string(e.what()).rfind("charta.xml: ", 0) == 0);
    }
  }
}
