// The changes page and the diff API from the real `charta serve`.
#include <Poco/JSON/Array.h>

#include <cstdlib>
#include <filesystem>
#include <pugixml.hpp>
#include <random>
#include <set>

#include "core/sha256.h"
#include "redline/redline_support.h"
#include "support/server_process.h"

using namespace charta;
using namespace charta::redlinetest;
using testing::http;
using testing::ServerProcess;

namespace {

constexpr const char* kLegalToken = "redline-legal-token-0001";
constexpr const char* kSiteToken = "redline-site-token-0002";

std::vector<std::string> serverDefs() {
  return {"auth.tokens=legal:legal:" + core::sha256Hex(kLegalToken) +
          ";site:site:" + core::sha256Hex(kSiteToken)};
}

std::map<std::string, std::string> bearer(const char* token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

// Three editions: v2 changes 4.1.10, adds 5.2 (5.2-5.6 renumbered) and moves 8.4 to 8.3.1; v3
// splits 9.2 in two (9.3 becomes 9.4) and writes "<script>" as text (escaped in the Markdown).
struct ThreeEditions : PolicySite {
  std::string v2Commit;
  ThreeEditions() {
    std::string t = replaced(seed, "5.2. Пользователь соглашается",
                             "5.2. Администрация сайта вправе передавать обезличенные данные "
                             "партнёрам.\n\n5.3. Пользователь соглашается");
    t = replaced(t, "5.3. Персональные данные Пользователя могут",
                 "5.4. Персональные данные Пользователя могут");
    t = replaced(t, "5.4. При утрате", "5.5. При утрате");
    t = replaced(t, "5.5. Администрация сайта принимает", "5.6. Администрация сайта принимает");
    t = replaced(t, "5.6. Администрация сайта совместно", "5.7. Администрация сайта совместно");
    t = replaced(t, "с его согласия, обновлений", "с его письменного согласия, обновлений");
    t = replaced(t, "\n\n8.4. К настоящей Политике", "\n\n8.3.1. К настоящей Политике");
    v2Commit = commit(t);
    REQUIRE(
        charta({"publish", "personal-data", "--summary", "Пункт 5.2: передача партнёрам"}).status ==
        0);
    t = replaced(t,
                 "в интернет-магазине, если иное не предусмотрено новой редакцией Политики "
                 "конфиденциальности.\n\n9.3.",
                 "в интернет-магазине \\<script>.\n\n9.3. Если иное не предусмотрено новой "
                 "редакцией Политики конфиденциальности.\n\n9.4.");
    commit(t);
    auto r = charta({"publish", "personal-data"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
  }
};

// Parses an HTML page (XHTML syntax after the doctype); fails the test when it is not well-formed.
void parsePage(pugi::xml_document& doc, const std::string& page) {
  const std::string doctype = "<!DOCTYPE html>\n";
  REQUIRE(page.rfind(doctype, 0) == 0);
  std::string body = page.substr(doctype.size());
  auto r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  REQUIRE_MESSAGE(r, "not well-formed: " << r.description() << " at " << r.offset);
}

std::string textOf(pugi::xml_node n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    out += c.type() == pugi::node_pcdata ? c.value() : textOf(c);
  }
  return out;
}

// What every page of the site holds to: one h1, landmarks, headings in order, unique ids, in-page
// links that land, no script or style.
void checkPage(const pugi::xml_document& doc, const std::string& page) {
  pugi::xml_node html = doc.document_element();
  CHECK(std::string_view(html.attribute("lang").value()) == "ru");
  CHECK(html.select_nodes("//h1").size() == 1);
  CHECK(html.select_nodes("//main").size() == 1);
  CHECK(html.select_node("//a[@class='skip-link' and @href='#content']"));
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find(" style=") == std::string::npos);
  int last = 1;
  for (const pugi::xpath_node& h : html.select_nodes("//h1|//h2|//h3|//h4|//h5|//h6")) {
    int level = h.node().name()[1] - '0';
    CHECK_MESSAGE(level <= last + 1, h.node().name() << " after h" << last);
    last = level;
  }
  std::set<std::string> ids;
  for (const pugi::xpath_node& n : html.select_nodes("//*[@id]")) {
    CHECK(ids.insert(n.node().attribute("id").value()).second);
  }
  for (const pugi::xpath_node& a : html.select_nodes("//a[starts-with(@href, '#')]")) {
    CHECK_MESSAGE(ids.count(a.node().attribute("href").value() + 1),
                  a.node().attribute("href").value());
  }
  for (const pugi::xpath_node& n : html.select_nodes("//*[@aria-labelledby]")) {
    CHECK(ids.count(n.node().attribute("aria-labelledby").value()));
  }
  for (const pugi::xpath_node& n : html.select_nodes("//nav")) {
    CHECK_FALSE(std::string_view(n.node().attribute("aria-label").value()).empty());
  }
}

}  // namespace

TEST_CASE("the changes page: summary, anchors, <del>/<ins>, links from the edition and archive") {
  ThreeEditions site;
  ServerProcess server(site.box.path(), serverDefs());
  auto r = http(server.port(), "GET", "/personal-data/changes/v1...v2");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.header("content-language") == "ru");
  CHECK(r.header("cache-control") == "public, max-age=31536000, immutable");
  CHECK(r.header("content-security-policy").find("default-src 'none'") != std::string::npos);
  pugi::xml_document doc;
  parsePage(doc, r.body);
  checkPage(doc, r.body);
  pugi::xml_node html = doc.document_element();
  CHECK(textOf(html.select_node("//head/title").node()) ==
        "Политика конфиденциальности персональных данных — изменения: редакция 1 → редакция 2");
  CHECK(textOf(html.select_node("//p[@class='changes-lead']").node()) ==
        "Что изменилось: редакция 1 → редакция 2.");
  CHECK(html.select_node("//p[@class='changes-lead']/a[@href='/personal-data/v1']"));
  CHECK(html.select_node("//p[@class='changes-lead']/a[@href='/personal-data/v2']"));
  CHECK(r.body.find("<dd>Пункт 5.2: передача партнёрам</dd>") != std::string::npos);

  // The summary at the top, in words and numbers.
  auto counts = html.select_nodes("//ul[@class='change-counts']/li");
  REQUIRE(counts.size() == 5);
  CHECK(textOf(counts[0].node()) == "Изменено: 1");
  CHECK(textOf(counts[1].node()) == "Добавлено: 1");
  CHECK(textOf(counts[2].node()) == "Удалено: 0");
  CHECK(textOf(counts[3].node()) == "Перенесено или перенумеровано: 6");
  CHECK(textOf(counts[4].node()) == "Без изменений: 64");
  CHECK(textOf(html.select_node("//section[@class='change-summary']/p[@class='change-purposes']")
                   .node()) ==
        "Изменились пункты о целях обработки, требующих согласия: Обновления продукции, "
        "специальные предложения и новости (marketing)");

  // One section per changed clause, anchored by its number, its status in words.
  auto changes = html.select_nodes("//section[starts-with(@class, 'change change-')]");
  CHECK(changes.size() == 8);
  pugi::xml_node c4110 = html.select_node("//section[@id='p-4-1-10']").node();
  REQUIRE(c4110);
  CHECK(std::string_view(c4110.attribute("class").value()) == "change change-changed");
  CHECK(textOf(c4110.child("h3")) == "Пункт 4.1.10 изменён");
  CHECK(textOf(c4110.select_node("p[@class='change-text']/ins").node()) == "письменного");
  CHECK(c4110.select_node("ul/li/a[@href='/personal-data/v1#p-4-1-10']"));
  CHECK(c4110.select_node("ul/li/a[@href='/personal-data/v2#p-4-1-10']"));
  pugi::xml_node added = html.select_node("//section[@id='p-5-2']").node();
  CHECK(std::string_view(added.attribute("class").value()) == "change change-added");
  CHECK(textOf(added.select_node("p/ins").node()) ==
        "Администрация сайта вправе передавать обезличенные данные партнёрам.");
  pugi::xml_node moved = html.select_node("//section[@id='p-5-3']").node();
  CHECK(textOf(moved.child("h3")) == "Пункт 5.3 перенесён, был 5.2");
  CHECK_FALSE(moved.select_node(".//del|.//ins"));
  CHECK(textOf(html.select_node("//section[@id='p-8-3-1']/h3").node()) ==
        "Пункт 8.3.1 перенесён, был 8.4");
  // The index of changes links to every one of them.
  CHECK(html.select_nodes("//nav[@class='change-index']//a").size() == 8);

  // Links to it: from the page of v2 and from the archive, for every consecutive pair.
  auto v2 = http(server.port(), "GET", "/personal-data/v2");
  CHECK(v2.body.find("<a href=\"/personal-data/changes/v1...v2\">Что изменилось по сравнению с "
                     "редакцией 1</a>") != std::string::npos);
  auto v1 = http(server.port(), "GET", "/personal-data/v1");
  CHECK(v1.body.find("/changes/") == std::string::npos);
  auto archive = http(server.port(), "GET", "/personal-data/versions");
  pugi::xml_document adoc;
  parsePage(adoc, archive.body);
  auto links = adoc.select_nodes("//table[@class='editions']//a[contains(@href, '/changes/')]");
  REQUIRE(links.size() == 2);
  for (const auto& l : links) {
    std::string href = l.node().attribute("href").value();
    CAPTURE(href);
    CHECK(http(server.port(), "GET", href).status == 200);
  }
  CHECK(textOf(links[0].node()) == "Изменения в редакции 3");

  // v3: a split, and text that looks like HTML stays text.
  auto v3 = http(server.port(), "GET", "/personal-data/changes/v2...v3");
  REQUIRE(v3.status == 200);
  pugi::xml_document d3;
  parsePage(d3, v3.body);
  checkPage(d3, v3.body);
  CHECK(v3.body.find("&lt;script&gt;") != std::string::npos);
  CHECK(d3.select_node("//section[@id='p-9-3' and @class='change change-split']"));
  CHECK(textOf(d3.select_node("//section[@id='p-9-3']/h3").node()) ==
        "Пункт 9.3 выделен из пункта 9.2");
  CHECK(textOf(d3.select_node("//section[@id='p-9-4']/h3").node()) ==
        "Пункт 9.4 перенесён, был 9.3");
}

TEST_CASE("the changes page: conditional requests, HEAD, and what is not a changes page") {
  ThreeEditions site;
  ServerProcess server(site.box.path(), serverDefs());
  auto r = http(server.port(), "GET", "/personal-data/changes/v1...v3");
  REQUIRE(r.status == 200);  // any two editions, not only consecutive ones
  const std::string etag = r.header("etag");
  REQUIRE(etag.size() > 2);
  CHECK(http(server.port(), "GET", "/personal-data/changes/v1...v3", {{"If-None-Match", etag}})
            .status == 304);
  auto head = http(server.port(), "HEAD", "/personal-data/changes/v1...v3");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("etag") == etag);

  for (const char* path : {"/personal-data/changes/v2...v1", "/personal-data/changes/v1...v1",
                           "/personal-data/changes/v1...v9", "/personal-data/changes/v1..v2",
                           "/personal-data/changes/v01...v2", "/personal-data/changes/1...2",
                           "/personal-data/changes/v1...v2/x", "/personal-data/changes/",
                           "/nothing/changes/v1...v2"}) {
    CAPTURE(path);
    auto e = http(server.port(), "GET", path);
    CHECK(e.status == 404);
  }
  // A language the editions have not: the controlling one (the README's fallback).
  auto kk = http(server.port(), "GET", "/personal-data/changes/v1...v2?lang=kk");
  CHECK(kk.status == 200);
  CHECK(kk.header("content-language") == "ru");
  CHECK(http(server.port(), "GET", "/personal-data/changes/v1...v2?lang=ru").status == 200);
}

TEST_CASE("GET /api/v1/documents/{doc}/diff: JSON per clause; public between editions") {
  ThreeEditions site;
  ServerProcess server(site.box.path(), serverDefs());
  const std::string base = "/api/v1/documents/personal-data/diff";
  auto r = http(server.port(), "GET", base + "?from=v1&to=v2");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("cache-control") == "public, max-age=31536000, immutable");
  auto o = object(r.body);
  CHECK(o->getValue<std::string>("document") == "personal-data");
  CHECK(o->getValue<std::string>("lang") == "ru");
  CHECK(o->getObject("from")->getValue<std::string>("edition") == "v1");
  CHECK(o->getObject("to")->getValue<std::string>("commit") == site.v2Commit);
  CHECK(o->getObject("summary")->getValue<int>("moved") == 6);
  CHECK(o->getArray("touched_purposes")->getElement<std::string>(0) == "marketing");
  auto clauses = o->getArray("clauses");
  CHECK(clauses->size() == 72);
  Poco::JSON::Object::Ptr c4110;
  for (size_t i = 0; i < clauses->size(); ++i) {
    auto c = clauses->getObject(static_cast<unsigned>(i));
    if (!c->isNull("new_number") && c->getValue<std::string>("new_number") == "4.1.10") c4110 = c;
  }
  REQUIRE(c4110);
  CHECK(c4110->getValue<std::string>("status") == "changed");
  CHECK(c4110->getValue<std::string>("old_number") == "4.1.10");
  CHECK(c4110->getArray("purposes")->getElement<std::string>(0) == "marketing");
  auto ops = c4110->getArray("ops");
  REQUIRE(ops->size() == 3);
  CHECK(ops->getObject(0)->getValue<std::string>("op") == "equal");
  CHECK(ops->getObject(0)->getValue<std::string>("text") == "Предоставления Пользователю с его");
  CHECK(ops->getObject(1)->getValue<std::string>("op") == "insert");
  CHECK(ops->getObject(1)->getValue<std::string>("text") == "письменного");
  CHECK(ops->getObject(1)->getValue<bool>("space_before"));

  // Defaults: the latest edition against the one before it.
  auto latest = object(http(server.port(), "GET", base).body);
  CHECK(latest->getObject("from")->getValue<std::string>("revision") == "v2");
  CHECK(latest->getObject("to")->getValue<std::string>("revision") == "v3");
  CHECK(object(http(server.port(), "GET", base + "?to=v2").body)
            ->getObject("from")
            ->getValue<std::string>("revision") == "v1");

  // 304 on the ETag.
  const std::string etag = r.header("etag");
  CHECK(http(server.port(), "GET", base + "?from=v1&to=v2", {{"If-None-Match", etag}}).status ==
        304);

  // A draft commit: the legal team only.
  std::string draft = site.commit(site.text() + "\n10.1. Черновик.\n");
  auto anonymous = http(server.port(), "GET", base + "?from=v3&to=" + draft);
  CHECK(anonymous.status == 401);
  CHECK(anonymous.header("content-type") == "application/problem+json");
  CHECK(http(server.port(), "GET", base + "?from=v3&to=" + draft, bearer(kSiteToken)).status ==
        403);
  auto legal = http(server.port(), "GET", base + "?from=v3&to=" + draft, bearer(kLegalToken));
  REQUIRE_MESSAGE(legal.status == 200, legal.body);
  CHECK(legal.header("cache-control") == "private, no-store");
  CHECK(object(legal.body)->getObject("summary")->getValue<int>("added") == 1);

  // Problems.
  auto problem = [&](const std::string& target, int status) {
    auto e = http(server.port(), "GET", target, bearer(kLegalToken));
    INFO(target << " -> " << e.status << " " << e.body);
    CHECK(e.status == status);
    CHECK(e.header("content-type") == "application/problem+json");
  };
  problem(base + "?from=HEAD&to=v2", 400);
  problem(base + "?from=&to=v2", 400);
  problem(base + "?from=v1&to=v9", 404);
  problem(base + "?from=v1&to=" + std::string(40, 'a'), 404);
  problem(base + "?from=v1&to=v2&lang=kk", 404);
  problem(base + "?to=v1", 400);
  problem(base + "?from=v1&to=v2&colour=red", 400);
  problem("/api/v1/documents/no-such-doc/diff", 404);
  problem("/api/v1/documents/Bad_Doc/diff", 400);
  auto post = http(server.port(), "POST", base, {{"Content-Type", "application/json"}}, "{}");
  CHECK(post.status == 405);
  CHECK(post.header("allow") == "GET, HEAD");
}

TEST_CASE("vnu, when CHARTA_VNU_JAR names vnu.jar: the changes pages have no HTML errors") {
  const char* jar = std::getenv("CHARTA_VNU_JAR");
  if (!jar || !*jar) return;
  ThreeEditions site;
  ServerProcess server(site.box.path(), serverDefs());
  auto dir = site.box / "vnu";
  std::filesystem::create_directories(dir);
  for (const char* pair : {"v1...v2", "v2...v3", "v1...v3"}) {
    auto r = http(server.port(), "GET", std::string("/personal-data/changes/") + pair);
    REQUIRE(r.status == 200);
    testing::writeFile(dir / (std::string(pair) + ".html"), r.body);
  }
  testing::writeFile(dir / "v2.html", http(server.port(), "GET", "/personal-data/v2").body);
  testing::writeFile(dir / "versions.html",
                     http(server.port(), "GET", "/personal-data/versions").body);
  auto r = testing::run({"java", "-jar", jar, "--errors-only", "--format", "text", dir.string()});
  CHECK_MESSAGE(r.status == 0, r.out << r.err);
}
