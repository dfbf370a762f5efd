// The redline (core/diff.h) and its page (render/site.h): the input is two texts separated by the
// first NUL byte. Any pair is compared without a crash, the summary counts every clause, the
// word-level script rebuilds both texts, and a text compared with itself is all unchanged.
#include <algorithm>
#include <pugixml.hpp>
#include <set>

#include "core/diff.h"
#include "fuzz/fuzz_check.h"
#include "render/site.h"

using charta::fuzz::require;
namespace core = charta::core;
namespace render = charta::render;

namespace {

const render::Site& site() {
  static const render::Site s(CHARTA_SOURCE_DIR);
  return s;
}

core::DiffOptions purposes() {
  auto p = [](const char* id, const char* clause) {
    return core::Purpose{*core::PurposeId::parse(id), clause, id};
  };
  return {{p("marketing", "4.1.10"), p("analytics", "4.2")},
          {p("marketing", "4.1.11"), p("analytics", "4.2"), p("partners", "5")}};
}

size_t total(const core::DiffSummary& s) {
  return s.unchanged + s.changed + s.moved + s.added + s.removed + s.split + s.merged;
}

// The texts of the words of "ops" that are not of kind "other" (kept words carry the new side's
// spacing, so only the texts are compared).
std::vector<std::string_view> side(const std::vector<core::WordOp>& ops, core::WordOpKind other) {
  std::vector<std::string_view> texts;
  for (const auto& op : ops) {
    if (op.kind == other) continue;
    for (const auto& w : op.words) texts.push_back(w.text);
  }
  return texts;
}

std::vector<std::string_view> texts(const std::vector<core::Word>& words) {
  std::vector<std::string_view> out;
  for (const auto& w : words) out.push_back(w.text);
  return out;
}

std::string changesPage(const core::DocumentDiff& diff) {
  static const core::Document document{*core::DocumentId::parse("personal-data"),
                                       "Политика",
                                       "/personal-data",
                                       *core::Lang::parse("ru"),
                                       {{"ru", "personal-data/ru.md"}},
                                       {*core::Lang::parse("ru")},
                                       {}};
  auto edition = [&](const char* no, const char* commit, const char* at) {
    core::Instant t = *core::parseRfc3339(at);
    return core::Edition{document.id,
                         *core::EditionNo::parse(no),
                         *core::CommitId::parse(commit),
                         t,
                         t,
                         core::kKazakhstanOffset,
                         false,
                         {},
                         "",
                         core::Person{"legal", "legal@example.kz"},
                         std::nullopt,
                         std::nullopt};
  };
  render::ChangesPageModel model{
      document,
      edition("v1", "1111111111111111111111111111111111111111", "2026-01-01T00:00:00+05:00"),
      edition("v2", "2222222222222222222222222222222222222222", "2026-12-01T00:00:00+05:00"),
      document.controllingLang,
      "",
      diff};
  return site().changesPage(model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = charta::fuzz::asText(data, size);
  size_t nul = input.find('\0');
  if (nul == std::string_view::npos) {
    auto catalogue = purposes().newPurposes;
    core::DocumentDiff same = core::diffTexts(input, input, {catalogue, catalogue});
    require(same.summary.unchanged == same.clauses.size(), "a text equals itself");
    std::set<std::string> numbers;
    for (const auto& c : core::splitClauses(input)) numbers.insert(c.number);
    for (const auto& p : catalogue) {
      bool touched = std::find(same.touchedPurposes.begin(), same.touchedPurposes.end(),
                               p.id.str()) != same.touchedPurposes.end();
      require(touched == !numbers.count(p.clause),
              "a text equal to itself touches only purposes whose clause it lacks");
    }
    return 0;
  }
  std::string_view oldText = input.substr(0, nul), newText = input.substr(nul + 1);

  core::DocumentDiff diff = core::diffTexts(oldText, newText, purposes());
  require(total(diff.summary) == diff.clauses.size(), "the summary counts every clause");
  core::formatDiffPlain(diff);

  auto from = core::readWords(oldText), to = core::readWords(newText);
  auto ops = core::diffWords(from, to);
  require(side(ops, core::WordOpKind::kInsert) == texts(from),
          "kept and deleted words are the old text");
  require(side(ops, core::WordOpKind::kDelete) == texts(to),
          "kept and inserted words are the new text");

  std::string page = changesPage(diff);
  pugi::xml_document doc;
  require(static_cast<bool>(doc.load_buffer(page.data(), page.size(), pugi::parse_default)),
          "the changes page is well-formed XHTML");
  return 0;
}
