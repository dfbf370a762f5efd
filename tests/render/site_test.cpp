#include "render/site.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "core/front_matter.h"
#include "core/sha256.h"
#include "render/render_support.h"

namespace fs = std::filesystem;
using namespace charta;
using namespace charta::render;
using namespace charta::render::testing;

namespace {

core::Lang lang(const char* tag) { return *core::Lang::parse(tag); }

core::Instant at(const char* rfc3339) { return *core::parseRfc3339(rfc3339); }

core::Document document(std::vector<const char*> langs = {"ru"}) {
  core::Document d{*core::DocumentId::parse("personal-data"),
                   "Политика конфиденциальности персональных данных",
                   "/personal-data",
                   lang("ru"),
                   {},
                   {},
                   {}};
  for (const char* l : langs) {
    d.files[l] = std::string("personal-data/") + l + ".md";
    d.langs.push_back(lang(l));
  }
  return d;
}

core::Edition edition(int no, const char* published, const char* effective,
                      std::string summary = {}) {
  core::Edition e{
      .doc = *core::DocumentId::parse("personal-data"),
      .no = *core::EditionNo::of(no),
      .commit = *core::CommitId::parse(std::string(40, static_cast<char>('a' + no % 6))),
      .publishedAt = at(published),
      .effectiveFrom = at(effective),
      .effectiveOffset = core::kKazakhstanOffset,
      .material = false,
      .renewPurposes = {},
      .summary = std::move(summary),
      .publisher = {"Юрист", "legal@example.kz"},
      .forcedReason = std::nullopt,
      .withdrawal = std::nullopt};
  return e;
}

const std::string& seedFile() {
  static const std::string file = readFile(sourceDir() / "policies/personal-data/ru.md");
  return file;
}

const RenderedText& seedText() {
  static const RenderedText text = renderMarkdown(core::splitFrontMatter(seedFile()).body);
  return text;
}

EditionPageModel seedPage(Status status = Status::kInForce) {
  auto fm = core::splitFrontMatter(seedFile());
  return EditionPageModel{
      .document = document(),
      .edition = edition(2, "2026-11-20T10:15:00+05:00", "2026-12-01T00:00:00+05:00",
                         "Пункт 5.3: уточнены основания передачи."),
      .lang = lang("ru"),
      .title = fm.meta["title"],
      .text = seedText(),
      .status = status};
}

const Site& site() {
  static const Site s(sourceDir());
  return s;
}

// Parses a page as XML after its doctype; fails the test when it is not well-formed.
void parsePage(pugi::xml_document& doc, const std::string& page) {
  const std::string doctype = "<!DOCTYPE html>\n";
  REQUIRE(page.rfind(doctype, 0) == 0);
  std::string body = page.substr(doctype.size());
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  REQUIRE_MESSAGE(r, "not well-formed: " << r.description() << " at " << r.offset);
}

// The things every HTML page must hold to: HTML syntax, CSP, landmarks, one h1, heading order.
void checkHtmlPage(const std::string& page, const char* expectedLang) {
  CAPTURE(page.substr(0, 400));
  pugi::xml_document doc;
  parsePage(doc, page);
  pugi::xml_node html = doc.document_element();
  CHECK(std::string_view(html.name()) == "html");
  CHECK(std::string_view(html.attribute("lang").value()) == expectedLang);
  CHECK(page.find("<?xml") == std::string::npos);
  CHECK(page.find("<meta charset=\"utf-8\"/>") != std::string::npos);
  CHECK(page.find("data-slot") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<style") == std::string::npos);
  CHECK(page.find(" style=") == std::string::npos);
  CHECK(page.find("<!--") == std::string::npos);
  // Only void elements are self-closed.
  for (const char* el : {"p", "a", "div", "span", "main", "header", "footer", "nav", "li", "ul",
                         "ol", "td", "th", "h1", "h2", "title", "time", "section", "article"}) {
    CHECK_MESSAGE(page.find("<" + std::string(el) + "/>") == std::string::npos, el);
  }
  CHECK(page.find("</br>") == std::string::npos);
  CHECK(page.find("</meta>") == std::string::npos);
  CHECK(page.find("</link>") == std::string::npos);
  CHECK(html.select_nodes("//h1").size() == 1);
  CHECK(html.select_nodes("//main").size() == 1);
  CHECK(html.select_node("//a[@class='skip-link' and @href='#content']"));
  CHECK(html.select_node("//main[@id='content']"));
  CHECK(html.select_node("//head/title"));
  CHECK(html.select_node("//link[@rel='stylesheet' and @href='/assets/charta.css']"));
  // Headings never skip a level going down.
  int last = 1;
  for (const pugi::xpath_node& h : html.select_nodes("//h1|//h2|//h3|//h4|//h5|//h6")) {
    int level = h.node().name()[1] - '0';
    CHECK_MESSAGE(level <= last + 1, h.node().name() << " after h" << last);
    last = level;
  }
  // Ids are unique; every in-page link has its target.
  std::set<std::string> ids;
  for (const pugi::xpath_node& n : html.select_nodes("//*[@id]")) {
    CHECK(ids.insert(n.node().attribute("id").value()).second);
  }
  for (const pugi::xpath_node& a : html.select_nodes("//a[starts-with(@href, '#')]")) {
    CHECK_MESSAGE(ids.count(a.node().attribute("href").value() + 1),
                  a.node().attribute("href").value());
  }
}

}  // namespace

TEST_CASE("the edition page of the seed: title, edition, times in Almaty, contents, text") {
  std::string page = site().editionPage(seedPage());
  checkHtmlPage(page, "ru");
  pugi::xml_document doc;
  parsePage(doc, page);
  pugi::xml_node html = doc.document_element();

  CHECK(std::string_view(html.select_node("//h1").node().text().get()) ==
        "Политика конфиденциальности персональных данных");
  CHECK(std::string_view(html.select_node("//head/title").node().text().get()) ==
        "Политика конфиденциальности персональных данных — редакция 2");
  CHECK(html.select_node("//time[@datetime='2026-12-01T00:00:00+05:00']"));
  CHECK(page.find(">1 декабря 2026, 00:00 (UTC+05:00)</time>") != std::string::npos);
  CHECK(page.find(">20 ноября 2026, 10:15 (UTC+05:00)</time>") != std::string::npos);
  CHECK(page.find("<dt>Действует с</dt>") != std::string::npos);
  CHECK(page.find("Пункт 5.3: уточнены основания передачи.") != std::string::npos);
  CHECK(html.select_node("//a[@href='/personal-data/versions']"));
  CHECK(html.select_node("//a[@href='/personal-data/v1' and @rel='prev']"));
  CHECK(html.select_node("//link[@rel='alternate' and @href='/personal-data/feed.atom']"));
  CHECK(html.select_nodes("//nav[@class='toc']//li").size() == 9);
  CHECK(html.select_node("//nav[@class='toc']//a[@href='#p-5']"));
  CHECK(html.select_nodes("//div[@class='policy-text']//a[@class='clause-link']").size() == 70);
  CHECK(html.select_node("//a[@href='#p-5-2' and text()='5.2.']"));
  CHECK_FALSE(html.select_node("//*[contains(@class, 'notice')]"));
  CHECK_FALSE(html.select_node("//nav[@class='lang-switch']"));  // one language only
  // The publisher (personal data) is never shown.
  CHECK(page.find("legal@example.kz") == std::string::npos);
  CHECK(page.find("Юрист") == std::string::npos);
  // The text's words are all there.
  pugi::xml_document frag;
  parseFragment(frag, seedText().html);
  CHECK(textContent(html.select_node("//div[@class='policy-text']").node()) == textContent(frag));
}

TEST_CASE("edition page notices: upcoming, superseded, withdrawn, and the next edition") {
  SUBCASE("in force with an upcoming edition") {
    EditionPageModel m = seedPage();
    m.upcoming = edition(3, "2026-12-10T09:00:00+05:00", "2027-01-01T00:00:00+05:00");
    std::string page = site().editionPage(m);
    checkHtmlPage(page, "ru");
    CHECK(page.find("class=\"notice notice-next\"") != std::string::npos);
    CHECK(page.find("Опубликована новая редакция — <a href=\"/personal-data/v3\">редакция "
                    "3</a>; она вступает в силу <time datetime=\"2027-01-01T00:00:00+05:00\">1 "
                    "января 2027, 00:00 (UTC+05:00)</time>.") != std::string::npos);
  }
  SUBCASE("upcoming") {
    EditionPageModel m = seedPage(Status::kUpcoming);
    m.inForce = core::EditionNo::of(1);
    std::string page = site().editionPage(m);
    checkHtmlPage(page, "ru");
    CHECK(page.find("Эта редакция ещё не действует: она вступает в силу <time "
                    "datetime=\"2026-12-01T00:00:00+05:00\">") != std::string::npos);
    CHECK(page.find("Действующая редакция — <a href=\"/personal-data\">редакция 1</a>.") !=
          std::string::npos);
    CHECK(page.find("<dt>Вступает в силу</dt>") != std::string::npos);
  }
  SUBCASE("superseded") {
    EditionPageModel m = seedPage(Status::kSuperseded);
    m.inForce = core::EditionNo::of(5);
    std::string page = site().editionPage(m);
    checkHtmlPage(page, "ru");
    CHECK(page.find("Эта редакция не действует; действующая редакция — <a "
                    "href=\"/personal-data\">редакция 5</a>.") != std::string::npos);
  }
  SUBCASE("withdrawn, with its reason") {
    EditionPageModel m = seedPage(Status::kWithdrawn);
    m.edition.withdrawal = core::Withdrawal{at("2026-11-25T12:00:00+05:00"),
                                            {"Юрист", "legal@example.kz"},
                                            "Ошибка в пункте 5.3 <b>&</b>"};
    m.inForce = core::EditionNo::of(1);
    std::string page = site().editionPage(m);
    checkHtmlPage(page, "ru");
    CHECK(page.find("Эта редакция отозвана <time datetime=\"2026-11-25T12:00:00+05:00\">25 "
                    "ноября 2026, 12:00 (UTC+05:00)</time> и не вступит в силу.") !=
          std::string::npos);
    CHECK(page.find("Причина: Ошибка в пункте 5.3 &lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
    CHECK(page.find("<dt>Отозвана</dt>") != std::string::npos);
  }
}

TEST_CASE("several languages: a switch with ?lang= links; English words for other languages") {
  EditionPageModel m = seedPage();
  m.document = document({"ru", "kk", "en"});
  std::string ru = site().editionPage(m);
  checkHtmlPage(ru, "ru");
  CHECK(ru.find("<nav class=\"lang-switch\" aria-label=\"Язык\">") != std::string::npos);
  CHECK(ru.find("<a href=\"?lang=kk\" hreflang=\"kk\" lang=\"kk\">Қазақша</a>") !=
        std::string::npos);
  CHECK(ru.find(
            "<a href=\"?lang=ru\" hreflang=\"ru\" lang=\"ru\" aria-current=\"true\">Русский</a>") !=
        std::string::npos);

  m.lang = lang("en");
  m.title = "Personal data policy";
  m.text = renderMarkdown("## 1. Terms\n\n1.1. See clause 1.\n");
  std::string en = site().editionPage(m);
  checkHtmlPage(en, "en");
  CHECK(en.find("<dt>In force since</dt>") != std::string::npos);
  CHECK(en.find(">1 December 2026, 00:00 (UTC+05:00)</time>") != std::string::npos);
  CHECK(en.find(
            "<a href=\"?lang=en\" hreflang=\"en\" lang=\"en\" aria-current=\"true\">English</a>") !=
        std::string::npos);
  CHECK(en.find("Skip to the text") != std::string::npos);
}

TEST_CASE("the front-matter title wins; the registry title is the fallback") {
  EditionPageModel m = seedPage();
  m.title = "";
  m.document.title = "Из charta.xml";
  CHECK(site().editionPage(m).find("<h1>Из charta.xml</h1>") != std::string::npos);
  m.title = "Из front matter";
  CHECK(site().editionPage(m).find("<h1>Из front matter</h1>") != std::string::npos);
}

TEST_CASE("formatMoment: Asia/Almaty, +06:00 before 2024-03-01") {
  CHECK(formatMoment(at("2026-11-30T19:00:00Z"), lang("ru")) ==
        "1 декабря 2026, 00:00 (UTC+05:00)");
  CHECK(formatMoment(at("2026-11-30T19:00:00Z"), lang("kk")) ==
        "2026 жылғы 1 желтоқсан, 00:00 (UTC+05:00)");
  CHECK(formatMoment(at("2026-11-30T19:00:00Z"), lang("de")) ==
        "1 December 2026, 00:00 (UTC+05:00)");
  CHECK(formatMoment(at("2024-02-29T17:59:00Z"), lang("ru")) ==
        "29 февраля 2024, 23:59 (UTC+06:00)");
  CHECK(formatMoment(at("2024-02-29T18:00:00Z"), lang("ru")) ==
        "29 февраля 2024, 23:00 (UTC+05:00)");
  CHECK(formatMoment(at("2027-05-09T05:30:59.999Z"), lang("en-GB")) ==
        "9 May 2027, 10:30 (UTC+05:00)");
}

TEST_CASE("the archive lists every edition, newest first, with status and links") {
  core::Edition v1 =
      edition(1, "2025-01-10T10:00:00+05:00", "2025-01-10T10:00:00+05:00", "Первая редакция.");
  core::Edition v2 = edition(2, "2026-11-20T10:15:00+05:00", "2026-12-01T00:00:00+05:00");
  core::Edition v3 = edition(3, "2026-11-21T10:00:00+05:00", "2027-01-01T00:00:00+05:00");
  v3.withdrawal = core::Withdrawal{at("2026-11-22T10:00:00+05:00"), {}, "Опечатка"};
  core::Edition v4 = edition(4, "2026-11-23T10:00:00+05:00", "2027-02-01T00:00:00+05:00");
  ArchivePageModel m{document(),
                     lang("ru"),
                     "",
                     {{v1, Status::kSuperseded},
                      {v3, Status::kWithdrawn},
                      {v2, Status::kInForce},
                      {v4, Status::kUpcoming}}};
  std::string page = site().archivePage(m);
  checkHtmlPage(page, "ru");
  pugi::xml_document doc;
  parsePage(doc, page);
  auto rows = doc.select_nodes("//table[@class='editions']/tbody/tr");
  REQUIRE(rows.size() == 4);
  const char* expected[][3] = {{"/personal-data/v4", "status-upcoming", "вступает в силу"},
                               {"/personal-data/v3", "status-withdrawn", "отозвана: Опечатка"},
                               {"/personal-data/v2", "status-in-force", "действует"},
                               {"/personal-data/v1", "status-superseded", "не действует"}};
  for (std::size_t i = 0; i < 4; ++i) {
    pugi::xml_node tr = rows[i].node();
    CHECK(std::string_view(tr.attribute("class").value()) == expected[i][1]);
    CHECK(std::string_view(tr.select_node("th/a").node().attribute("href").value()) ==
          expected[i][0]);
    CHECK(std::string_view(tr.select_node("td[3]").node().text().get()) == expected[i][2]);
  }
  CHECK(page.find(">10 января 2025, 10:00 (UTC+05:00)</time>") != std::string::npos);
  CHECK(page.find("<td>Первая редакция.</td>") != std::string::npos);
}

TEST_CASE("the Atom feed: one entry per edition, absolute links, never updated in the future") {
  core::Edition v1 =
      edition(1, "2025-01-10T10:00:00+05:00", "2025-01-10T10:00:00+05:00", "Первая.");
  core::Edition v2 =
      edition(2, "2026-11-20T10:15:00+05:00", "2026-12-01T00:00:00+05:00", "A & B <c>");
  core::Edition v3 = edition(3, "2026-11-21T10:00:00+05:00", "2027-01-01T00:00:00+05:00");
  v3.withdrawal = core::Withdrawal{at("2026-11-22T10:00:00+05:00"), {}, "Опечатка"};
  FeedModel m{document(), lang("ru"), "", "https://lada-kazakhstan.kz/", {v1, v3, v2}};
  std::string feed = site().atomFeed(m);
  CHECK(feed.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", 0) == 0);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(feed.c_str()));
  pugi::xml_node root = doc.document_element();
  CHECK(std::string_view(root.name()) == "feed");
  CHECK(std::string_view(root.attribute("xmlns").value()) == "http://www.w3.org/2005/Atom");
  CHECK(std::string_view(root.child_value("id")) ==
        "https://lada-kazakhstan.kz/personal-data/feed.atom");
  CHECK(std::string_view(root.child_value("updated")) == "2026-11-30T19:00:00Z");  // max entry
  CHECK(root.find_child_by_attribute("link", "rel", "self"));
  CHECK(std::string_view(root.child("author").child_value("name")) == "lada-kazakhstan.kz");
  std::vector<pugi::xml_node> entries;
  for (pugi::xml_node e : root.children("entry")) entries.push_back(e);
  REQUIRE(entries.size() == 3);
  CHECK(std::string_view(entries[0].child_value("id")) ==
        "https://lada-kazakhstan.kz/personal-data/v3");
  CHECK(std::string_view(entries[0].child_value("title")) == "Редакция 3 (отозвана)");
  CHECK(entries[0].find_child_by_attribute("category", "term", "withdrawn"));
  // Withdrawn before its moment: dated by its withdrawal, not by a moment that never came.
  CHECK(std::string_view(entries[0].child_value("updated")) == "2026-11-22T10:00:00+05:00");
  CHECK(std::string_view(entries[1].child_value("updated")) == "2026-12-01T00:00:00+05:00");
  CHECK(std::string_view(entries[1].child_value("published")) == "2026-11-20T10:15:00+05:00");
  CHECK(std::string_view(entries[1].child("link").attribute("href").value()) ==
        "https://lada-kazakhstan.kz/personal-data/v2");
  CHECK(std::string(entries[1].child_value("summary")).find("A & B <c>") != std::string::npos);
  CHECK_FALSE(entries[1].child("category"));
  CHECK(feed.find("legal@example.kz") == std::string::npos);

  // Served before v2 takes effect: v2 is dated by its publication, and nothing is later than the
  // moment served.
  m.now = at("2026-11-25T12:00:00+05:00");
  REQUIRE(doc.load_string(site().atomFeed(m).c_str()));
  root = doc.document_element();
  CHECK(std::string_view(root.child_value("updated")) == "2026-11-22T05:00:00Z");
  entries.clear();
  for (pugi::xml_node e : root.children("entry")) entries.push_back(e);
  REQUIRE(entries.size() == 3);
  CHECK(std::string_view(entries[1].child_value("updated")) == "2026-11-20T10:15:00+05:00");
  CHECK(std::string_view(entries[2].child_value("updated")) == "2025-01-10T10:00:00+05:00");

  m.baseUrl = "";
  CHECK_THROWS_AS(site().atomFeed(m), RenderError);
}

TEST_CASE("sitemap and robots.txt") {
  std::string xml =
      site().sitemap("https://shop.kz/", {{"/personal-data", at("2026-12-01T00:00:00+05:00")},
                                          {"/personal-data/v1", std::nullopt},
                                          {"/a b&c", std::nullopt}});
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  auto urls = doc.select_nodes("/*[local-name()='urlset']/*[local-name()='url']");
  REQUIRE(urls.size() == 3);
  CHECK(std::string_view(urls[0].node().child_value("loc")) == "https://shop.kz/personal-data");
  CHECK(std::string_view(urls[0].node().child_value("lastmod")) == "2026-12-01T00:00:00+05:00");
  CHECK_FALSE(urls[1].node().child("lastmod"));
  CHECK(std::string_view(urls[2].node().child_value("loc")) == "https://shop.kz/a%20b&c");
  CHECK(xml.find("&amp;") != std::string::npos);
  CHECK(site().robots("https://shop.kz/") ==
        "User-agent: *\nAllow: /\nSitemap: https://shop.kz/sitemap.xml\n");
  CHECK(site().robots("") == "User-agent: *\nAllow: /\n");
  CHECK(site().robots("https://x\nDisallow: /") == "User-agent: *\nAllow: /\n");
}

TEST_CASE("the error page: small, valid, nothing but what it is told") {
  std::string page =
      site().errorPage(404, "Страница не найдена", "Такой страницы нет.", lang("ru"));
  checkHtmlPage(page, "ru");
  CHECK(page.find("<h1 id=\"error-title\">Страница не найдена</h1>") != std::string::npos);
  CHECK(page.find("Ошибка 404") != std::string::npos);
  CHECK(page.find("<title>404 — Страница не найдена</title>") != std::string::npos);
  CHECK(page.find("<header") == std::string::npos);  // empty optional slots are removed
  std::string en = site().errorPage(500, "Internal error", "", lang("en"));
  checkHtmlPage(en, "en");
  CHECK(en.find("Error 500") != std::string::npos);
  CHECK(site().errorPage(405, "<script>", "&", lang("en")).find("<script>") == std::string::npos);
}

TEST_CASE("assets: bytes, type and a strong ETag from their SHA-256") {
  const Asset* css = site().asset("charta.css");
  REQUIRE(css);
  CHECK(css->contentType == "text/css; charset=utf-8");
  CHECK(css->bytes == readFile(sourceDir() / "site/charta.css"));
  CHECK(css->etag == "\"" + core::sha256Hex(css->bytes).substr(0, 32) + "\"");
  CHECK(css->bytes.find("@media print") != std::string::npos);
  const Asset* icon = site().asset("favicon.svg");
  REQUIRE(icon);
  CHECK(icon->contentType == "image/svg+xml");
  CHECK_FALSE(site().asset("missing.css"));
  CHECK_FALSE(site().asset("../templates/page.xhtml"));
  CHECK(site().assets().size() >= 2);
}

TEST_CASE("pages are deterministic: the same model gives the same bytes, in a new Site too") {
  EditionPageModel m = seedPage();
  std::string a = site().editionPage(m);
  Site other(sourceDir());
  CHECK(other.editionPage(m) == a);
  CHECK(other.digest() == site().digest());
  CHECK(site().digest().size() == 64);
  ArchivePageModel archive{document(), lang("ru"), "", {{m.edition, Status::kInForce}}};
  CHECK(site().archivePage(archive) == other.archivePage(archive));
}

TEST_CASE("the digest changes with a template or an asset; broken templates are refused") {
  fs::path dir =
      fs::temp_directory_path() / ("charta-render-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  fs::copy(sourceDir() / "templates", dir / "templates", fs::copy_options::recursive);
  fs::copy(sourceDir() / "site", dir / "site", fs::copy_options::recursive);
  std::string layout = readFile(dir / "templates/page.xhtml");
  const std::string base = Site{dir}.digest();
  CHECK(base == site().digest());

  auto withLayout = [&](const std::string& text) { writeFile(dir / "templates/page.xhtml", text); };
  SUBCASE("template edit") {
    std::string changed = layout;
    changed.replace(changed.find("</footer>"), 0, "<p>©</p>");
    withLayout(changed);
    Site s(dir);
    CHECK(s.digest() != base);
    CHECK(s.editionPage(seedPage()).find("<p>©</p>") != std::string::npos);
  }
  SUBCASE("asset edit") {
    writeFile(dir / "site/charta.css", readFile(dir / "site/charta.css") + "\n/* x */\n");
    CHECK(Site{dir}.digest() != base);
  }
  SUBCASE("new template file") {
    writeFile(dir / "templates/extra.xhtml", "<html><head></head><body></body></html>");
    CHECK(Site{dir}.digest() != base);
  }
  SUBCASE("broken templates") {
    struct Case {
      std::string find, replace;
    };
    const Case cases[] = {
        {"</body>", ""},                                               // not well-formed
        {"</head>", "<script src=\"/assets/x.js\"></script></head>"},  // script
        {"</head>", "<style>p{}</style></head>"},                      // style element
        {"<body>", "<body style=\"color:red\">"},                      // style attribute
        {"<body>", "<body onload=\"x()\">"},                           // event handler
        {"/assets/charta.css", "/assets/missing.css"},                 // missing asset
        {" data-slot=\"main\"", ""},                                   // required slot
        {"data-slot=\"footer\"", "data-slot=\"header\""},              // slot twice
        {"&#", "&nbsp;&#"},                                            // unknown entity
    };
    for (const Case& c : cases) {
      std::string broken = layout;
      auto pos = broken.find(c.find);
      if (c.find == "&#") {
        pos = broken.find("</footer>");
        broken.replace(pos, 0, "&nbsp;");
      } else {
        REQUIRE(pos != std::string::npos);
        broken.replace(pos, c.find.size(), c.replace);
      }
      CAPTURE(c.replace);
      withLayout(broken);
      CHECK_THROWS_AS(Site{dir}, RenderError);
    }
  }
  SUBCASE("no templates") {
    fs::remove(dir / "templates/page.xhtml");
    CHECK_THROWS_AS(Site{dir}, RenderError);
  }
  fs::remove_all(dir);
}

TEST_CASE("paths") {
  CHECK(editionPath("/personal-data", *core::EditionNo::of(3)) == "/personal-data/v3");
  CHECK(archivePath("/personal-data") == "/personal-data/versions");
  CHECK(feedPath("/personal-data/") == "/personal-data/feed.atom");
  CHECK(assetPath("charta.css") == "/assets/charta.css");
}

TEST_CASE("vnu, when CHARTA_VNU_JAR names vnu.jar: the pages have no HTML errors") {
  const char* jar = std::getenv("CHARTA_VNU_JAR");
  if (!jar || !*jar) return;
  fs::path dir =
      fs::temp_directory_path() / ("charta-vnu-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  EditionPageModel upcoming = seedPage(Status::kUpcoming);
  upcoming.inForce = core::EditionNo::of(1);
  upcoming.document = document({"ru", "kk", "en"});
  EditionPageModel withNext = seedPage();
  withNext.upcoming = edition(3, "2026-12-10T09:00:00+05:00", "2027-01-01T00:00:00+05:00");
  EditionPageModel cases = seedPage();
  std::string allCases;
  for (const auto& e : fs::directory_iterator(sourceDir() / "tests/render/cases")) {
    if (e.path().extension() == ".md") allCases += readFile(e.path()) + "\n\n";
  }
  cases.text = renderMarkdown(allCases);
  core::Edition v1 =
      edition(1, "2025-01-10T10:00:00+05:00", "2025-01-10T10:00:00+05:00", "Первая.");
  writeFile(dir / "edition.html", site().editionPage(seedPage()));
  writeFile(dir / "upcoming.html", site().editionPage(upcoming));
  upcoming.lang = lang("kk");
  writeFile(dir / "upcoming-kk.html", site().editionPage(upcoming));
  writeFile(dir / "next.html", site().editionPage(withNext));
  writeFile(dir / "cases.html", site().editionPage(cases));
  writeFile(dir / "archive.html",
            site().archivePage({document(), lang("ru"), "", {{v1, Status::kInForce}}}));
  writeFile(dir / "error.html", site().errorPage(404, "Not found", "No such page.", lang("en")));
  std::string cmd = "java -jar '" + std::string(jar) + "' --errors-only --format text '" +
                    dir.string() + "' > '" + dir.string() + ".txt" + "' 2>&1";
  int rc = std::system(cmd.c_str());
  std::string report = readFile(dir.string() + ".txt");
  CHECK_MESSAGE(rc == 0, report);
  fs::remove_all(dir);
  fs::remove(dir.string() + ".txt");
}

TEST_CASE("one Site serves several threads at once, byte-identical") {
  EditionPageModel m = seedPage();
  const std::string expected = site().editionPage(m);
  const std::string markdown(core::splitFrontMatter(seedFile()).body);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        EditionPageModel own = m;
        own.text = renderMarkdown(markdown);
        if (site().editionPage(own) != expected) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
}
