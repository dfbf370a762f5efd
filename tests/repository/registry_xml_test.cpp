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
           "<text lang=\"ru\" path=\"p/ru.md\" previous-paths=\"old.md ../x.md\"/>"),
       "previous path \"../x.md\" is not a safe relative path"},
      {doc("id=\"p\" controlling-lang=\"ru\"",
           "<text lang=\"ru\" path=\"p/ru.md\" previous-paths=\"old.md old.md\"/>"),
       "previous path \"old.md\" is named twice"},
      {doc("id=\"p\" controlling-lang=\"ru\"",
           "<text lang=\"ru\" path=\"p/ru.md\" previous-paths=\"p/ru.md\"/>"),
       "named twice"},
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

TEST_CASE("a renamed text names its previous paths, newest first; a document entry as written") {
  const std::string xml =
      "<charta version=\"1\"><document id=\"privacy\" controlling-lang=\"en\">"
      "<text lang=\"en\" path=\"Policies/privacy.md\" "
      "previous-paths=\" Policies/privacy-statement.md  privacy.md \"/>"
      "<text lang=\"de\" path=\"Policies/de.md\"/></document>"
      "<document id=\"terms\" controlling-lang=\"en\"><text lang=\"en\" path=\"t.md\"/>"
      "</document></charta>";
  auto reg = parseRegistry(xml);
  const core::Document& d = *reg.document(*core::DocumentId::parse("privacy"));
  CHECK(d.paths("en") == std::vector<std::string>{"Policies/privacy.md",
                                                  "Policies/privacy-statement.md", "privacy.md"});
  CHECK(d.paths("de") == std::vector<std::string>{"Policies/de.md"});
  CHECK(d.paths("fr").empty());
  CHECK(d.previousPaths.count("de") == 0);

  auto entry = repository::documentEntry(xml, *core::DocumentId::parse("terms"));
  REQUIRE(entry);
  CHECK(*entry ==
        "<document id=\"terms\" controlling-lang=\"en\"><text lang=\"en\" "
        "path=\"t.md\"/></document>");
  CHECK_FALSE(repository::documentEntry(xml, *core::DocumentId::parse("cookies")));
  CHECK_FALSE(repository::documentEntry("<charta", *core::DocumentId::parse("terms")));
}
