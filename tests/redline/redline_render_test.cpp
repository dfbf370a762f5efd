// The redline fragment: well-formed, anchored, every changed word inside <del> or <ins>, and the
// words of the texts always escaped.
#include "render/redline.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <pugixml.hpp>
#include <set>

#include "core/clauses.h"
#include "core/front_matter.h"
#include "support/sandbox.h"

using namespace charta;
namespace fs = std::filesystem;

namespace {

core::Lang lang(const char* tag) { return *core::Lang::parse(tag); }

render::RedlineOptions options(const char* l = "ru") {
  return render::RedlineOptions{lang(l),      "/personal-data/v1", "/personal-data/v2",
                                "редакция 1", "редакция 2",        {}};
}

void parseFragment(pugi::xml_document& doc, const std::string& html) {
  std::string wrapped = "<div>" + html + "</div>";
  auto r =
      doc.load_buffer(wrapped.data(), wrapped.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  REQUIRE_MESSAGE(r, "not well-formed: " << r.description() << " at " << r.offset << "\n" << html);
}

std::string textOf(pugi::xml_node n) {
  std::string out;
  for (pugi::xml_node c : n.children())
    out += c.type() == pugi::node_pcdata ? c.value() : textOf(c);
  return out;
}

std::string joined(const core::ClauseDiff& c, core::WordOpKind kind) {
  std::string out;
  for (const auto& op : c.ops) {
    if (op.kind == kind) out += core::joinWords(op.words);
  }
  return out;
}

}  // namespace

TEST_CASE("every golden diff case renders to a well-formed fragment with unique anchors") {
  fs::path dir = testing::sourceDir() / "tests/core/diff_cases";
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string file = e.path().filename().string();
    if (!file.ends_with(".old.md")) continue;
    std::string name = file.substr(0, file.size() - 7);
    CAPTURE(name);
    std::string a = testing::slurp(e.path());
    std::string b = testing::slurp(dir / (name + ".new.md"));
    core::DocumentDiff d =
        core::diffTexts(core::splitFrontMatter(a).body, core::splitFrontMatter(b).body);
    std::string html = render::redlineHtml(d, options());
    pugi::xml_document doc;
    parseFragment(doc, html);
    std::set<std::string> ids;
    for (const auto& n : doc.select_nodes("//*[@id]")) {
      CHECK(ids.insert(n.node().attribute("id").value()).second);
    }
    for (const auto& n : doc.select_nodes("//a[starts-with(@href, '#')]")) {
      CHECK(ids.count(n.node().attribute("href").value() + 1));
    }
    // One section per clause that changed, its deleted and inserted words in <del> and <ins>.
    size_t changed = 0;
    for (const core::ClauseDiff& c : d.clauses) {
      if (c.status == core::ClauseStatus::kUnchanged) continue;
      ++changed;
      std::string id =
          c.inNew ? core::clauseAnchor(c.newNumber) : "removed-" + core::clauseAnchor(c.oldNumber);
      pugi::xml_node section = doc.select_node(("//section[@id='" + id + "']").c_str()).node();
      REQUIRE_MESSAGE(section, id);
      CHECK(std::string_view(section.attribute("class").value()) ==
            std::string("change change-") + core::clauseStatusName(c.status));
      std::string del, ins;
      for (const auto& n : section.select_nodes(".//del")) del += textOf(n.node());
      for (const auto& n : section.select_nodes(".//ins")) ins += textOf(n.node());
      CHECK(del == joined(c, core::WordOpKind::kDelete));
      CHECK(ins == joined(c, core::WordOpKind::kInsert));
    }
    CHECK(doc.select_nodes("//section[starts-with(@class, 'change change-')]").size() == changed);
    if (changed == 0) CHECK(html.find("Текст не изменился.") != std::string::npos);
  }
}

TEST_CASE(
    "the words of the texts are escaped; statuses are words; Kazakh; English for other languages") {
  core::DocumentDiff d = core::diffTexts("1.1. Текст & 1 < 2 <b>жирный</b>.\n\n1.2. Второй.\n",
                                         "1.1. Текст & 1 < 2 <i>курсив</i>.\n\n1.2. Второй.\n");
  std::string html = render::redlineHtml(d, options());
  pugi::xml_document doc;
  parseFragment(doc, html);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK(html.find("&amp;") != std::string::npos);
  CHECK(html.find("&lt;") != std::string::npos);
  CHECK(textOf(doc.select_node("//section[@id='p-1-1']/h3").node()) == "Пункт 1.1 изменён");
  CHECK(doc.select_node("//a[@href='/personal-data/v1#p-1-1']"));
  CHECK(textOf(doc.select_node("//a[@href='/personal-data/v2#p-1-1']").node()) ==
        "редакция 2, п. 1.1");

  std::string en = render::redlineHtml(d, options("de"));
  CHECK(en.find("Clause 1.1 <span class=\"change-status\">changed</span>") != std::string::npos);
  CHECK(en.find("<h2 id=\"change-summary-title\">Summary</h2>") != std::string::npos);
  // Kazakh has its own words (src/render/strings/kk.txt).
  std::string kk = render::redlineHtml(d, options("kk"));
  CHECK(kk.find("Тармақ 1.1 <span class=\"change-status\">өзгертілді</span>") != std::string::npos);
  CHECK(kk.find("<h2 id=\"change-summary-title\">Қысқаша шолу</h2>") != std::string::npos);
}

TEST_CASE("purposes are named with their titles; a removed clause keeps its old anchor") {
  core::Purpose marketing{*core::PurposeId::parse("marketing"), "1.2", "Рассылка новостей"};
  core::DocumentDiff d = core::diffTexts(
      "1.1. Первый.\n\n1.2. Рассылка новостей.\n\n1.3. Третий пункт текста.\n",
      "1.1. Первый.\n\n1.2. Рассылка новостей и акций.\n", {{marketing}, {marketing}});
  auto o = options();
  o.purposes = {marketing};
  std::string html = render::redlineHtml(d, o);
  pugi::xml_document doc;
  parseFragment(doc, html);
  CHECK(textOf(doc.select_node("//section[@class='change-summary']/p").node()) ==
        "Изменились пункты о целях обработки, требующих согласия: Рассылка новостей (marketing)");
  CHECK(textOf(doc.select_node("//section[@id='p-1-2']/p[@class='change-purposes']").node()) ==
        "Цель обработки, требующая согласия: Рассылка новостей (marketing)");
  pugi::xml_node removed = doc.select_node("//section[@id='removed-p-1-3']").node();
  REQUIRE(removed);
  CHECK(textOf(removed.child("h3")) == "Пункт 1.3 удалён");
  CHECK(removed.select_node(".//a[@href='/personal-data/v1#p-1-3']"));
  CHECK_FALSE(removed.select_node(".//a[@href='/personal-data/v2#p-1-3']"));
}
