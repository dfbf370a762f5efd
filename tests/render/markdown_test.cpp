#include "render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>
#include <vector>

#include "core/clauses.h"
#include "core/front_matter.h"
#include "render/render_support.h"
#include "render/text.h"

namespace fs = std::filesystem;
using namespace charta::render;
using namespace charta::render::testing;

namespace {

fs::path casesDir() { return sourceDir() / "tests/render/cases"; }

std::string curatedSeedBody() {
  static const std::string file = readFile(sourceDir() / "policies/personal-data/ru.md");
  return std::string(charta::core::splitFrontMatter(file).body);
}

std::string rawSeed() { return readFile(sourceDir() / "tests/seed/personal-data.ru.md"); }

// What cmark-gfm itself makes of "markdown" (safe mode, same extensions): the reference for the
// words of a text.
std::string cmarkHtml(std::string_view markdown) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8);
  for (const char* name : {"table", "strikethrough", "autolink"}) {
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name));
  }
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html =
      cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser));
  std::string out(html);
  free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return out;
}

std::string wordsOf(std::string_view html) {
  pugi::xml_document doc;
  parseFragment(doc, html);
  return textContent(doc);
}

}  // namespace

TEST_CASE("golden cases: each tests/render/cases/*.md renders to its .html byte for byte") {
  // CHARTA_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
  bool update = std::getenv("CHARTA_UPDATE_GOLDEN") != nullptr;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(casesDir())) {
    if (e.path().extension() == ".md") cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 6);
  for (const fs::path& md : cases) {
    CAPTURE(md.filename().string());
    RenderedText r = renderMarkdown(readFile(md));
    fs::path expected = fs::path(md).replace_extension(".html");
    if (update) writeFile(expected, r.html);
    REQUIRE_MESSAGE(fs::exists(expected), "missing " << expected.filename());
    CHECK(r.html == readFile(expected));
    pugi::xml_document doc;
    parseFragment(doc, r.html);  // well-formed XHTML
  }
}

TEST_CASE("raw HTML, script URLs and comments never come through") {
  struct Case {
    const char* markdown;
    const char* mustKeep;  // text that stays, or ""
  };
  const Case cases[] = {
      {"<script>alert(1)</script>", ""},
      {"a <script>alert(1)</script> b", "a"},
      {"<img src=x onerror=alert(1)>", ""},
      {"text <img src=x onerror=alert(1)> more", "more"},
      {"[x](javascript:alert(1))", "x"},
      {"[x](JaVaScRiPt:alert(1))", "x"},
      {"[x](&#106;avascript:alert(1))", "x"},
      {"[x](&#x6A;&#x61;vascript:alert(1))", "x"},
      {"[x](java&#x09;script:alert(1))", "x"},
      {"[x](java&#10;script:alert(1))", "x"},
      {"[x](javascript&#58;alert(1))", "x"},
      {"[x](< javascript:alert(1)>)", "x"},
      {"[x](vbscript:msgbox(1))", "x"},
      {"[x](VBScript:msgbox(1))", "x"},
      {"[x](data:text/html;base64,PHNjcmlwdD4=)", "x"},
      {"[x][r]\n\n[r]: javascript:alert(1)", "x"},
      {"<a href=\"javascript:alert(1)\">x</a>", "x"},
      {"![x](javascript:alert(1))", ""},
      {"![x](data:image/svg+xml;base64,PHN2Zz4=)", ""},
      {"<javascript:alert(1)>", "alert(1)"},
      {"<JAVASCRIPT:alert(1)>", "alert(1)"},
      {"<!-- secret comment -->", ""},
      {"a <!-- secret --> b", "a"},
      {"<iframe src=\"https://evil.example/\"></iframe>", ""},
      {"<svg onload=alert(1)>", ""},
      {"<svg><script>alert(1)</script></svg>", ""},
      {"<style>*{display:none}</style>", ""},
      {"<div onclick=\"alert(1)\">x</div>", ""},
      {"<object data=\"x.swf\"></object>", ""},
      {"<?php system('id'); ?>", ""},
      {"<![CDATA[ <script> ]]>", ""},
      {"<textarea><script>alert(1)</script></textarea>", "alert(1)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.markdown);
    std::string html = renderMarkdown(c.markdown).html;
    std::string lowerHtml = html;
    std::transform(lowerHtml.begin(), lowerHtml.end(), lowerHtml.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    // No element but text ones, no URL at all (none of these is safe): a script URL may stay
    // only as visible text.
    for (const char* bad :
         {"<script", "<img", "<iframe", "<svg", "<style", "<div", "<object", "<a", "<!--", "<?",
          "<![cdata", "href=", "src=", "onerror=", "onload=", "onclick="}) {
      CHECK_MESSAGE(lowerHtml.find(bad) == std::string::npos, bad << " in " << html);
    }
    CHECK(html.find(c.mustKeep) != std::string::npos);
    pugi::xml_document doc;
    parseFragment(doc, html);
  }
}

TEST_CASE("isSafeUrl") {
  struct Case {
    const char* url;
    bool link;
    bool image;
  };
  const Case cases[] = {
      {"https://example.com/", true, true},
      {"HTTP://example.com/", true, true},
      {"/personal-data/v1", true, true},
      {"#p-4", true, true},
      {"v1?lang=kk", true, true},
      {"", true, true},
      {"mailto:dpo@example.kz", true, false},
      {"tel:+77000000000", true, false},
      {"javascript:alert(1)", false, false},
      {"JaVaScRiPt:alert(1)", false, false},
      {" javascript:alert(1)", false, false},
      {"\x01javascript:alert(1)", false, false},
      {"java\tscript:alert(1)", false, false},
      {"java\nscript:alert(1)", false, false},
      {"java\rscript:alert(1)", false, false},
      {"vbscript:msgbox(1)", false, false},
      {"data:text/html,x", false, false},
      {"data:image/png;base64,AAAA", false, false},
      {"file:///etc/passwd", false, false},
      {"ftp://example.com/", false, false},
      {"foo bar:baz", false, false},
      {"/a:b", true, true},
      {"a/b:c", true, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.url);
    CHECK(isSafeUrl(c.url) == c.link);
    CHECK(isSafeUrl(c.url, true) == c.image);
  }
}

TEST_CASE("the curated seed: nine sections, every numbered clause anchored, references linked") {
  std::string body = curatedSeedBody();
  RenderedText r = renderMarkdown(body);

  // Count the clauses in the source: a line that starts with a clause number ("4.1.10.", "1.1 ",
  // "7.1..") or a heading "## N.".
  std::regex clauseLine(R"(^(## )?\d{1,3}(\.\d{1,3})*(\.|\s))");
  std::size_t expected = 0;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, clauseLine)) ++expected;
  }
  CHECK(expected == 70);
  CHECK(r.clauses.size() == expected);
  CHECK(count(r.html, "class=\"clause-link\"") == expected);

  REQUIRE(r.sections.size() == 9);
  const char* titles[] = {"ОПРЕДЕЛЕНИЕ ТЕРМИНОВ",
                          "ОБЩИЕ ПОЛОЖЕНИЯ",
                          "ПРЕДМЕТ ПОЛИТИКИ КОНФИДЕНЦИАЛЬНОСТИ",
                          "ЦЕЛИ СБОРА ПЕРСОНАЛЬНОЙ ИНФОРМАЦИИ ПОЛЬЗОВАТЕЛЯ",
                          "СПОСОБЫ И СРОКИ ОБРАБОТКИ ПЕРСОНАЛЬНОЙ ИНФОРМАЦИИ",
                          "ОБЯЗАТЕЛЬСТВА СТОРОН",
                          "ОТВЕТСТВЕННОСТЬ СТОРОН",
                          "РАЗРЕШЕНИЕ СПОРОВ",
                          "ДОПОЛНИТЕЛЬНЫЕ УСЛОВИЯ"};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(r.sections[i].number == std::to_string(i + 1));
    CHECK(r.sections[i].anchor == "p-" + std::to_string(i + 1));
    CHECK(r.sections[i].title == titles[i]);
    CHECK(r.html.find("<h2 id=\"p-" + std::to_string(i + 1) + "\">") != std::string::npos);
  }

  // Every anchor is unique and present once as an id.
  std::set<std::string> anchors;
  for (const Clause& c : r.clauses) {
    CAPTURE(c.number);
    CHECK(anchors.insert(c.anchor).second);
    CHECK(count(r.html, "id=\"" + c.anchor + "\"") == 1);
    CHECK(r.html.find("<a class=\"clause-link\" href=\"#" + c.anchor + "\">") != std::string::npos);
  }
  for (const char* a : {"p-1-1", "p-1-1-1", "p-3-3-2", "p-4-1-10", "p-4-1-11", "p-4-1-12",
                        "p-6-2-4", "p-7-1", "p-7-1-3", "p-9-3"}) {
    CHECK(anchors.count(a) == 1);
  }

  // Clause model: 4.1.10 is a paragraph clause of level 3; 5 is a heading.
  auto find = [&](std::string_view number) -> const Clause* {
    for (const Clause& c : r.clauses)
      if (c.number == number) return &c;
    return nullptr;
  };
  REQUIRE(find("4.1.10"));
  CHECK(find("4.1.10")->level == 3);
  CHECK_FALSE(find("4.1.10")->heading);
  REQUIRE(find("5"));
  CHECK(find("5")->heading);
  CHECK(find("5")->title == "СПОСОБЫ И СРОКИ ОБРАБОТКИ ПЕРСОНАЛЬНОЙ ИНФОРМАЦИИ");
  CHECK(r.clauses.front().number == "1");
  CHECK(r.clauses.back().number == "9.3");

  // The seed's forms: "1.1 " without the dot and the typo "7.1..".
  CHECK(r.html.find("<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1</a> В "
                    "настоящей") != std::string::npos);
  CHECK(r.html.find("<a class=\"clause-link\" href=\"#p-7-1\">7.1..</a>В случае") !=
        std::string::npos);

  // References: "п.п. 5.2. и 5.3." in 3.4 and 6.2.2, "п. 4" in 6.2.1.
  CHECK(count(r.html,
              "п.п. <a href=\"#p-5-2\">5.2.</a> и <a href=\"#p-5-3\">5.3.</a> "
              "настоящей Политики") == 2);
  CHECK(r.html.find("указанных в п. <a href=\"#p-4\">4</a> настоящей") != std::string::npos);
  CHECK(count(r.html, "<a href=\"#p-") == 5);
}

TEST_CASE("the raw seed as delivered: bold lines and mixed heading levels make the same sections") {
  RenderedText raw = renderMarkdown(rawSeed());
  RenderedText curated = renderMarkdown(curatedSeedBody());
  REQUIRE(raw.sections.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) {
    CHECK(raw.sections[i].anchor == curated.sections[i].anchor);
    CHECK(raw.sections[i].title == curated.sections[i].title);
  }
  CHECK(raw.clauses.size() == curated.clauses.size());
  for (std::size_t i = 0; i < raw.clauses.size(); ++i) {
    CHECK(raw.clauses[i].anchor == curated.clauses[i].anchor);
  }
  CHECK(count(raw.html, "<h2 id=\"p-") == 9);
  CHECK(raw.html.find("<h4") == std::string::npos);
}

TEST_CASE("the words of a text never change: text content equals cmark-gfm's own rendering") {
  std::vector<std::pair<std::string, std::string>> texts = {{"curated seed", curatedSeedBody()},
                                                            {"raw seed", rawSeed()}};
  for (const auto& e : fs::directory_iterator(casesDir())) {
    if (e.path().extension() == ".md") texts.emplace_back(e.path().filename(), readFile(e.path()));
  }
  for (const auto& [name, markdown] : texts) {
    CAPTURE(name);
    std::string reference = cmarkHtml(markdown);
    pugi::xml_document doc;
    std::string wrapped = "<div>" + reference + "</div>";
    if (!doc.load_buffer(wrapped.data(), wrapped.size(),
                         pugi::parse_default | pugi::parse_ws_pcdata)) {
      continue;  // cmark's own HTML is not always XML (raw-HTML samples); those are skipped
    }
    std::string ours = wordsOf(renderMarkdown(markdown).html);
    // Forbidden code points (controls, noncharacters) are the one thing we write differently.
    std::string theirs = charta::render::detail::cleanText(textContent(doc));
    CHECK(ours == theirs);
  }
}

TEST_CASE("clause numbers and references") {
  struct Case {
    const char* markdown;
    const char* expected;  // the whole fragment
  };
  const Case cases[] = {
      // Clause openings.
      {"1.1. a", "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n"},
      {"1.1 a", "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1</a> a</p>\n"},
      {"7.1..В", "<p id=\"p-7-1\"><a class=\"clause-link\" href=\"#p-7-1\">7.1..</a>В</p>\n"},
      {"7.1...В", "<p id=\"p-7-1\"><a class=\"clause-link\" href=\"#p-7-1\">7.1...</a>В</p>\n"},
      {"**1.1** a",  // the end of the emphasis separates the number as a space does
       "<p id=\"p-1-1\"><strong><a class=\"clause-link\" href=\"#p-1-1\">1.1</a></strong> "
       "a</p>\n"},
      {"*1.1*", "<p id=\"p-1-1\"><em><a class=\"clause-link\" href=\"#p-1-1\">1.1</a></em></p>\n"},
      {"1.1\na", "<p>1.1\na</p>\n"},
      {"1.1.a", "<p>1.1.a</p>\n"},
      {"1 a", "<p>1 a</p>\n"},
      {"1.1.1.1.1.1.1. seven levels", "<p>1.1.1.1.1.1.1. seven levels</p>\n"},
      {"1000.1. long", "<p>1000.1. long</p>\n"},
      {"01.2. zero", "<p>01.2. zero</p>\n"},
      {"12.03.2024 date", "<p>12.03.2024 date</p>\n"},
      {"## 5. Title", "<h2 id=\"p-5\"><a class=\"clause-link\" href=\"#p-5\">5.</a> Title</h2>\n"},
      {"**2. BOLD**",
       "<h2 id=\"p-2\"><strong><a class=\"clause-link\" href=\"#p-2\">2.</a> "
       "BOLD</strong></h2>\n"},
      {"**2.1. bold clause** text",
       "<p id=\"p-2-1\"><strong><a class=\"clause-link\" href=\"#p-2-1\">2.1.</a> bold "
       "clause</strong> text</p>\n"},
      {"1.1. a\n\n1.1. again",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p>1.1. "
       "again</p>\n"},
      // References.
      {"1.1. a\n\n1.2. см. п. 1.1.",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> см. п. <a "
       "href=\"#p-1-1\">1.1</a>.</p>\n"},
      {"1.1. a\n\n1.2. пп. 1.1, 1.2 и 1.3",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> пп. <a "
       "href=\"#p-1-1\">1.1</a>, <a href=\"#p-1-2\">1.2</a> и 1.3</p>\n"},
      {"1.1. a\n\n1.2. пунктом 1.1. и сл.",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> пунктом <a "
       "href=\"#p-1-1\">1.1.</a> и сл.</p>\n"},
      {"1.1. a\n\n1.2. пункт 1.1 статьи 5 Закона",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> пункт 1.1 статьи 5 "
       "Закона</p>\n"},
      {"1.1. a\n\n1.2. [п. 1.1](#x) `п. 1.1` пунктир 1.1 суп. 1.1",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> <a href=\"#x\">п. "
       "1.1</a> <code>п. 1.1</code> пунктир 1.1 суп. 1.1</p>\n"},
      {"1.1. a\n\n1.2. п.\u00a01.1 (п.1.1)",
       "<p id=\"p-1-1\"><a class=\"clause-link\" href=\"#p-1-1\">1.1.</a> a</p>\n<p "
       "id=\"p-1-2\"><a class=\"clause-link\" href=\"#p-1-2\">1.2.</a> п.\u00a0<a "
       "href=\"#p-1-1\">1.1</a> (п.<a href=\"#p-1-1\">1.1</a>)</p>\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.markdown);
    CHECK(renderMarkdown(c.markdown).html == c.expected);
  }
}

TEST_CASE("the page links exactly the references the clause grammar reads (what the lint checks)") {
  std::string refs =
      "## 1. Раздел\n\n1.1. a\n\n1.2. b\n\n2.1. См. п. 1.1, п.п. 1.1. и 1.2., пунктах 1.1–1.2, "
      "«п. 1.2», см.\u00a0п. 2.1, п. п. 1, пункт 1.1 статьи 7, п. 7 и пункты 1.1 или 2.1.\n";
  for (const std::string& body : {curatedSeedBody(), refs}) {
    RenderedText r = renderMarkdown(body);
    std::set<std::string> anchors;
    for (const Clause& c : r.clauses) anchors.insert(c.anchor);
    charta::core::ClauseGrammar grammar;
    std::size_t linkable = 0;
    for (const auto& ref : grammar.references(body))
      linkable += anchors.count(grammar.anchor(ref.number));
    CHECK(linkable > 4);
    CHECK(count(r.html, "<a href=\"#p-") == linkable);
  }
}

TEST_CASE("a clause in a tight list item carries its id on the self-link") {
  RenderedText r = renderMarkdown("- 2.3. item\n- other\n");
  CHECK(r.html ==
        "<ul>\n<li><a class=\"clause-link\" id=\"p-2-3\" href=\"#p-2-3\">2.3.</a> item</li>\n"
        "<li>other</li>\n</ul>\n");
  REQUIRE(r.clauses.size() == 1);
  CHECK(r.clauses[0].anchor == "p-2-3");
}

TEST_CASE("headings: sections become h2 whatever level they were typed at, levels without gaps") {
  RenderedText r = renderMarkdown("# Title\n\n## 1. One\n\n#### 1.1. Sub\n\n## Annex\n");
  CHECK(r.html.find("<h2>Title</h2>") != std::string::npos);
  CHECK(r.html.find("<h3 id=\"p-1\">") != std::string::npos);
  CHECK(r.html.find("<h4 id=\"p-1-1\">") != std::string::npos);
  CHECK(r.html.find("<h3 id=\"s-1\">Annex</h3>") != std::string::npos);
  REQUIRE(r.sections.size() == 2);
  CHECK(r.sections[0].anchor == "p-1");
  CHECK(r.sections[1].anchor == "s-1");
  CHECK(r.sections[1].number.empty());

  RenderedText plain = renderMarkdown("# A\n\n### B\n");
  CHECK(plain.html == "<h2 id=\"s-1\">A</h2>\n<h3>B</h3>\n");
}

TEST_CASE("input limits and odd input") {
  std::string big(kMaxMarkdownBytes + 1, 'a');
  CHECK_THROWS_AS(renderMarkdown(big), RenderError);
  CHECK_NOTHROW(renderMarkdown(std::string(kMaxMarkdownBytes, 'a')));
  CHECK(renderMarkdown("").html.empty());
  // Invalid UTF-8 and forbidden code points become U+FFFD; the result is still XML.
  std::string odd = "a\xff\xfe b \x01 c \xc2\x80 d \xef\xbf\xbe e\0f";
  odd.push_back('\0');
  RenderedText r = renderMarkdown(odd);
  pugi::xml_document doc;
  parseFragment(doc, r.html);
  CHECK(r.html.find('\x01') == std::string::npos);
  CHECK(r.html.find("\xc2\x80") == std::string::npos);
  CHECK(r.html.find("\xef\xbf\xbe") == std::string::npos);
}

TEST_CASE("rendering is deterministic and linear") {
  std::string seed = curatedSeedBody();
  RenderedText a = renderMarkdown(seed);
  RenderedText b = renderMarkdown(seed);
  CHECK(a.html == b.html);

  // 1 MiB of clauses full of references, and of nested emphasis and quotes: must finish quickly.
  std::string clauses;
  for (int i = 1; clauses.size() < kMaxMarkdownBytes - 200; ++i) {
    clauses += std::to_string(i % 999 + 1) + "." + std::to_string(i / 999 + 1) +
               ". см. п. 1.1, п.п. 2.1. и 3.1., пунктах 4.1 и 5.1 настоящей Политики.\n\n";
  }
  std::string nested(kMaxMarkdownBytes / 2, '>');
  std::string emphasis;
  while (emphasis.size() < kMaxMarkdownBytes - 10) emphasis += "*a **b ";
  for (const std::string* input : {&clauses, &nested, &emphasis}) {
    auto start = std::chrono::steady_clock::now();
    RenderedText r = renderMarkdown(*input);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    MESSAGE("1 MiB input rendered in " << ms << " ms, " << r.html.size() << " bytes");
    CHECK(ms < 10000);
  }
}

TEST_CASE("random Markdown soup always gives well-formed XHTML with no active content") {
  // A fixed seed: the same inputs on every run.
  std::mt19937 rng(20261201);
  const std::vector<std::string> tokens = {"<",           ">",        "[",         "]",
                                           "(",           ")",        "*",         "**",
                                           "_",           "`",        "```",       "!",
                                           "&",           "&#106;",   "&amp;",     "#",
                                           "## ",         ";",        ":",         "javascript:",
                                           "JaVaScRiPt:", "data:",    "vbscript:", "http://x.kz",
                                           "www.x.kz",    "<script>", "</script>", "<!--",
                                           "-->",         "<a href=", "\"",        "'",
                                           "onerror=",    "п. ",      "пп. ",      "п.п. ",
                                           "пункт ",      "1.",       "2.1",       "2.1.",
                                           "4.1.10. ",    "7.1..",    " и ",       ", ",
                                           "\n",          "\n\n",     "  \n",      " ",
                                           "\t",          "|",        "|---|",     "-",
                                           "- ",          "1. ",      "> ",        "~",
                                           "~~",          "a",        "Б",         "\\",
                                           "\xc2\xa0",    "\xff",     "\x01",      "<svg onload=x>",
                                           "<img src=x>", "](",       "]: "};
  std::uniform_int_distribution<std::size_t> pick(0, tokens.size() - 1);
  std::uniform_int_distribution<int> length(1, 120);
  for (int round = 0; round < 3000; ++round) {
    std::string md;
    for (int i = length(rng); i > 0; --i) md += tokens[pick(rng)];
    CAPTURE(md);
    RenderedText r = renderMarkdown(md);
    pugi::xml_document doc;
    std::string wrapped = "<div>" + r.html + "</div>";
    pugi::xml_parse_result parsed = doc.load_buffer(wrapped.data(), wrapped.size());
    REQUIRE_MESSAGE(parsed, r.html);
    for (const pugi::xpath_node& n : doc.select_nodes("//*")) {
      std::string_view name = n.node().name();
      CHECK_MESSAGE((name != "script" && name != "svg" && name != "iframe" && name != "style"),
                    r.html);
      for (pugi::xml_attribute a : n.node().attributes()) {
        std::string_view an = a.name();
        CHECK_MESSAGE(!an.starts_with("on"), r.html);
        if (an == "href" || an == "src") CHECK_MESSAGE(isSafeUrl(a.value()), r.html);
      }
    }
    std::set<std::string> ids;
    for (const pugi::xpath_node& n : doc.select_nodes("//*[@id]")) {
      CHECK(ids.insert(n.node().attribute("id").value()).second);
    }
  }
}
