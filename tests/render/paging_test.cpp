// The archive's pages and the feed's archives (RFC 5005 §4): bounded documents whatever the
// number of editions, every edition on exactly one page, links between them.
#include <doctest/doctest.h>

#include <set>

#include "render/render_support.h"
#include "render/site.h"

using namespace charta;
using namespace charta::render;
using namespace charta::render::testing;

namespace {

core::Lang lang(const char* tag) { return *core::Lang::parse(tag); }

core::Document document() {
  core::Document d{*core::DocumentId::parse("personal-data"),
                   "Политика",
                   "/personal-data",
                   lang("ru"),
                   {},
                   {},
                   {}};
  d.files["ru"] = "personal-data/ru.md";
  d.langs.push_back(lang("ru"));
  return d;
}

// Edition "no", published and taking effect "no" days after 2026-01-01.
core::Edition edition(int no) {
  auto t = *core::parseRfc3339("2026-01-01T00:00:00Z") + std::chrono::hours(24 * no);
  core::Edition e{*core::DocumentId::parse("personal-data"),
                  *core::EditionNo::of(no),
                  *core::CommitId::parse(std::string(40, 'a')),
                  t,
                  t,
                  core::kKazakhstanOffset,
                  false,
                  {},
                  {},
                  {},
                  std::nullopt,
                  std::nullopt};
  return e;
}

const Site& site() {
  SiteOptions o;
  o.feedEntries = 3;
  o.archivePageSize = 4;
  static const Site s(sourceDir(), o);
  return s;
}

pugi::xml_node parse(pugi::xml_document& doc, const std::string& bytes, bool html) {
  std::string body = html ? bytes.substr(bytes.find('\n') + 1) : bytes;
  REQUIRE(doc.load_buffer(body.data(), body.size()));
  return doc.document_element();
}

std::string link(pugi::xml_node feed, const char* rel) {
  pugi::xml_node l = feed.find_child_by_attribute("link", "rel", rel);
  return l ? l.attribute("href").value() : "";
}

}  // namespace

TEST_CASE("paths and counts of the archive's pages and the feed's archives") {
  CHECK(archivePath("/personal-data", 1) == "/personal-data/versions");
  CHECK(archivePath("/personal-data", 2) == "/personal-data/versions/2");
  CHECK(feedArchivePath("/personal-data", 3) == "/personal-data/feed/3.atom");
  CHECK(archivePages(0, 50) == 1);
  CHECK(archivePages(50, 50) == 1);
  CHECK(archivePages(51, 50) == 2);
  CHECK(feedArchives(50, 50) == 0);
  CHECK(feedArchives(51, 50) == 1);   // v1 is not in the current feed: archive 1 holds v1..v50
  CHECK(feedArchives(100, 50) == 1);  // v1..v50 archived, v51..v100 current
  CHECK(feedArchives(101, 50) == 2);
  CHECK(feedArchives(1000, 50) == 19);
}

TEST_CASE("the archive is paged, newest first, with rel=prev/next links in a labelled nav") {
  std::vector<ArchiveEntry> entries;
  for (int no = 1; no <= 10; ++no)
    entries.push_back({edition(no), core::EditionStatus::kSuperseded});
  std::set<std::string> seen;
  for (size_t page = 1; page <= 3; ++page) {
    CAPTURE(page);
    ArchivePageModel m{document(), lang("ru"), "", entries, page};
    pugi::xml_document doc;
    pugi::xml_node html = parse(doc, site().archivePage(m), true);
    auto rows = html.select_nodes("//table[@class='editions']/tbody/tr/th/a");
    CHECK(rows.size() == (page < 3 ? 4u : 2u));
    for (const auto& a : rows) CHECK(seen.insert(a.node().attribute("href").value()).second);
    pugi::xml_node nav = html.select_node("//nav[@class='archive-pages']").node();
    REQUIRE(nav);
    CHECK(std::string_view(nav.attribute("aria-label").value()) == "Страницы архива");
    auto prev = html.select_node("//nav[@class='archive-pages']//a[@rel='prev']").node();
    auto next = html.select_node("//nav[@class='archive-pages']//a[@rel='next']").node();
    CHECK(bool(prev) == (page > 1));
    CHECK(bool(next) == (page < 3));
    if (prev) CHECK(prev.attribute("href").value() == archivePath("/personal-data", page - 1));
    if (next) CHECK(next.attribute("href").value() == archivePath("/personal-data", page + 1));
  }
  CHECK(seen.size() == 10);
  CHECK(*seen.begin() == "/personal-data/v1");
  // Four editions fit one page: no nav at all.
  ArchivePageModel one{document(), lang("ru"), "", {entries.begin(), entries.begin() + 4}};
  CHECK(site().archivePage(one).find("archive-pages") == std::string::npos);
}

TEST_CASE("the feed holds the newest entries; its archives (RFC 5005) hold the rest, stable") {
  std::vector<core::Edition> editions;
  for (int no = 1; no <= 8; ++no) editions.push_back(edition(no));
  const std::string base = "https://shop.kz";
  FeedModel m{document(), lang("ru"), "", base, editions};
  REQUIRE(feedArchives(8, 3) == 2);  // archive 1: v1..v3, archive 2: v4..v6, current: v6..v8
  pugi::xml_document doc;
  pugi::xml_node feed = parse(doc, site().atomFeed(m), false);
  std::vector<std::string> ids;
  for (pugi::xml_node e : feed.children("entry")) ids.push_back(e.child_value("id"));
  CHECK(ids == std::vector<std::string>{base + "/personal-data/v8", base + "/personal-data/v7",
                                        base + "/personal-data/v6"});
  CHECK(link(feed, "prev-archive") == base + "/personal-data/feed/2.atom");
  CHECK(link(feed, "self") == base + "/personal-data/feed.atom");
  CHECK_FALSE(feed.child("fh:archive"));

  std::set<std::string> archived;
  for (size_t k = 1; k <= 2; ++k) {
    CAPTURE(k);
    m.archive = k;
    const std::string bytes = site().atomFeed(m);
    pugi::xml_document d;
    pugi::xml_node a = parse(d, bytes, false);
    CHECK(std::string_view(a.attribute("xmlns:fh").value()) ==
          "http://purl.org/syndication/history/1.0");
    CHECK(a.child("fh:archive"));
    CHECK(std::string_view(a.child_value("id")) == base + "/personal-data/feed.atom");
    CHECK(link(a, "self") == base + feedArchivePath("/personal-data", k));
    CHECK(link(a, "current") == base + "/personal-data/feed.atom");
    CHECK(link(a, "prev-archive") == (k > 1 ? base + "/personal-data/feed/1.atom" : ""));
    CHECK(link(a, "next-archive") == (k < 2 ? base + "/personal-data/feed/2.atom" : ""));
    size_t n = 0;
    for (pugi::xml_node e : a.children("entry")) {
      archived.insert(e.child_value("id"));
      ++n;
    }
    CHECK(n == 3);
    // Stable: more editions leave an archive's entries as they were.
    FeedModel more = m;
    for (int no = 9; no <= 20; ++no) more.editions.push_back(edition(no));
    pugi::xml_document d2;
    pugi::xml_node a2 = parse(d2, site().atomFeed(more), false);
    std::string first = a2.child("entry").child_value("id");
    CHECK(first == a.child("entry").child_value("id"));
  }
  CHECK(archived.size() == 6);  // v1..v6: with the current feed, every edition is reachable
  CHECK(archived.count(base + "/personal-data/v1"));
}
