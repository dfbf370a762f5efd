// The Markdown -> page pipeline of a policy text, as the site serves an edition: front matter
// (core/front_matter.h), clause marks and clause splitting (core/clauses.h, core/diff.h),
// rendering with anchors and reference links (render/markdown.h) and the page (render/site.h).
// Any text renders without a crash to well-formed XHTML whose clause anchors are unique.
#include <pugixml.hpp>
#include <set>

#include "core/clauses.h"
#include "core/diff.h"
#include "core/front_matter.h"
#include "fuzz/fuzz_check.h"
#include "render/markdown.h"
#include "render/site.h"

using charta::fuzz::require;
namespace core = charta::core;
namespace render = charta::render;

namespace {

const render::Site& site() {
  static const render::Site s(CHARTA_SOURCE_DIR);
  return s;
}

bool wellFormed(const std::string& xml) {
  pugi::xml_document doc;
  return static_cast<bool>(doc.load_buffer(xml.data(), xml.size(), pugi::parse_default));
}

render::EditionPageModel pageModel(render::RenderedText text, std::string title) {
  static const core::Document document{*core::DocumentId::parse("personal-data"),
                                       "Политика",
                                       "/personal-data",
                                       *core::Lang::parse("ru"),
                                       {{"ru", "personal-data/ru.md"}},
                                       {*core::Lang::parse("ru")},
                                       {}};
  core::Instant published = *core::parseRfc3339("2026-11-20T10:00:00+05:00");
  core::Edition edition{document.id,
                        *core::EditionNo::parse("v2"),
                        *core::CommitId::parse("0123456789abcdef0123456789abcdef01234567"),
                        published,
                        published + std::chrono::hours(24 * 10),
                        core::kKazakhstanOffset,
                        true,
                        {},
                        "Новые цели обработки",
                        core::Person{"legal", "legal@example.kz"},
                        std::nullopt,
                        std::nullopt};
  return render::EditionPageModel{document,         edition,         document.controllingLang,
                                  std::move(title), std::move(text), render::Status::kInForce,
                                  edition.no,       std::nullopt,    core::EditionNo::parse("v1")};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  core::MarkdownFile file = core::splitFrontMatter(charta::fuzz::asText(data, size));

  auto marks = core::clauseMarks(file.body);
  for (const auto& m : marks) require(core::isClauseNumber(m.number), "marks are clause numbers");
  auto clauses = core::splitClauses(file.body);
  require(clauses.size() >= marks.size(), "every clause mark opens a clause");

  render::RenderedText text;
  try {
    text = render::renderMarkdown(file.body);
  } catch (const render::RenderError&) {
    require(file.body.size() > render::kMaxMarkdownBytes, "only an oversized text is refused");
    return 0;
  }
  require(wellFormed("<div>" + text.html + "</div>"), "the rendered text is well-formed XHTML");
  std::set<std::string> anchors;
  for (const auto& c : text.clauses) {
    require(anchors.insert(c.anchor).second, "clause anchors are unique");
  }

  auto title = file.meta.find("title");
  std::string page =
      site().editionPage(pageModel(std::move(text), title == file.meta.end() ? "" : title->second));
  require(wellFormed(page), "the page is well-formed XHTML");
  return 0;
}
