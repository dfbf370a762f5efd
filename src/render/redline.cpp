#include "render/redline.h"

#include <set>

#include "core/clauses.h"
#include "render/text.h"

namespace charta::render {
namespace {

using core::ClauseDiff;
using core::ClauseStatus;
using core::WordOp;
using core::WordOpKind;
using detail::appendAttrEscaped;
using detail::appendEscaped;

struct Words {
  const char* summary;
  const char* changes;
  const char* noChanges;
  const char* changedN;
  const char* addedN;
  const char* removedN;
  const char* movedN;
  const char* splitN;
  const char* mergedN;
  const char* unchangedN;
  const char* purposes;
  const char* clause;
  const char* section;
  const char* preamble;
  const char* heading;
  const char* changed;
  const char* added;
  const char* removed;
  const char* movedFrom;        // {N}: the old number
  const char* movedAndChanged;  // {N}
  const char* splitFrom;        // {N}
  const char* mergedInto;       // {N}
  const char* inEdition;        // {E}: "редакция 1", {N}: number
  const char* noText;
  const char* navLabel;
  const char* purposeOf;
};

constexpr Words kRu{
    "Сводка",
    "Изменённые пункты",
    "Текст не изменился.",
    "Изменено",
    "Добавлено",
    "Удалено",
    "Перенесено или перенумеровано",
    "Выделено из других пунктов",
    "Объединено с другими пунктами",
    "Без изменений",
    "Изменились пункты о целях обработки, требующих согласия:",
    "Пункт",
    "Раздел",
    "Вступление",
    "Заголовок",
    "изменён",
    "добавлен",
    "удалён",
    "перенесён, был {N}",
    "перенесён, был {N}, и изменён",
    "выделен из пункта {N}",
    "включён в пункт {N}",
    "{E}, п. {N}",
    "(без текста)",
    "Перечень изменений",
    "Цель обработки, требующая согласия:",
};

constexpr Words kEn{
    "Summary",
    "Changed clauses",
    "The text did not change.",
    "Changed",
    "Added",
    "Removed",
    "Moved or renumbered",
    "Split off other clauses",
    "Merged into other clauses",
    "Unchanged",
    "Clauses of purposes that need consent changed:",
    "Clause",
    "Section",
    "Preamble",
    "Heading",
    "changed",
    "added",
    "removed",
    "moved, was {N}",
    "moved, was {N}, and changed",
    "split from clause {N}",
    "merged into clause {N}",
    "{E}, clause {N}",
    "(no text)",
    "Index of changes",
    "Purpose that needs consent:",
};

const Words& wordsFor(const core::Lang& lang) {
  std::string t = lang.str().substr(0, lang.str().find('-'));
  for (char& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 0x20 : c);
  return t == "ru" ? kRu : kEn;
}

std::string fill(std::string_view pattern, char key, std::string_view value) {
  std::string out(pattern);
  std::string marker = std::string("{") + key + "}";
  for (size_t p; (p = out.find(marker)) != std::string::npos;) out.replace(p, 3, value);
  return out;
}

const char* statusClass(ClauseStatus s) { return core::clauseStatusName(s); }

// The clause as its heading names it: "Пункт 4.1.10", "Раздел 5", "Вступление".
std::string clauseName(const Words& w, const ClauseDiff& c, const std::string& number) {
  if (c.preamble) return w.preamble;
  if (number.empty()) return w.heading;
  return std::string(c.heading ? w.section : w.clause) + " " + number;
}

std::string statusWords(const Words& w, const ClauseDiff& c) {
  switch (c.status) {
    case ClauseStatus::kUnchanged:
      return "";
    case ClauseStatus::kChanged:
      return w.changed;
    case ClauseStatus::kAdded:
      return w.added;
    case ClauseStatus::kRemoved:
      return w.removed;
    case ClauseStatus::kMoved:
      return fill(c.textChanged ? w.movedAndChanged : w.movedFrom, 'N',
                  c.oldNumber.empty() ? "—" : c.oldNumber);
    case ClauseStatus::kSplit:
      return fill(w.splitFrom, 'N', c.oldNumber);
    case ClauseStatus::kMerged:
      return fill(w.mergedInto, 'N', c.newNumber);
  }
  return "";
}

void appendOps(std::string& out, const std::vector<WordOp>& ops) {
  for (const core::PrintedRun& run : core::printedRuns(ops)) {
    if (run.spaceBefore) out += ' ';
    WordOpKind kind = run.op->kind;
    if (kind == WordOpKind::kDelete) out += "<del>";
    if (kind == WordOpKind::kInsert) out += "<ins>";
    appendEscaped(out, core::joinWords(run.op->words));
    if (kind == WordOpKind::kDelete) out += "</del>";
    if (kind == WordOpKind::kInsert) out += "</ins>";
  }
}

}  // namespace

std::string redlineHtml(const core::DocumentDiff& diff, const RedlineOptions& o) {
  const Words& w = wordsFor(o.lang);
  const core::DiffSummary& s = diff.summary;

  // Anchors, unique.
  std::set<std::string> used;
  std::vector<std::string> anchors;
  size_t headings = 0;
  for (const ClauseDiff& c : diff.clauses) {
    std::string a;
    if (c.preamble) {
      a = "preamble";
    } else if (c.inNew && !c.newNumber.empty()) {
      a = core::clauseAnchor(c.newNumber);
    } else if (!c.oldNumber.empty()) {
      a = "removed-" + core::clauseAnchor(c.oldNumber);
    } else {
      a = "heading-" + std::to_string(++headings);
    }
    std::string unique = a;
    for (int n = 2; used.count(unique); ++n) unique = a + "-" + std::to_string(n);
    used.insert(unique);
    anchors.push_back(unique);
  }

  // "Обновления продукции ... (marketing)": the catalogue's title and the id.
  auto purposeTitle = [&](const std::string& id) {
    for (const auto& p : o.purposes) {
      if (p.id.str() == id && !p.title.empty()) return p.title + " (" + id + ")";
    }
    return id;
  };

  std::string out;
  out += "<section class=\"change-summary\" aria-labelledby=\"change-summary-title\">\n";
  out += "<h2 id=\"change-summary-title\">";
  appendEscaped(out, w.summary);
  out += "</h2>\n<ul class=\"change-counts\">\n";
  auto countItem = [&](const char* label, size_t n, const char* cls) {
    out += "<li class=\"count-";
    out += cls;
    out += "\">";
    appendEscaped(out, label);
    out += ": <strong>" + std::to_string(n) + "</strong></li>\n";
  };
  countItem(w.changedN, s.changed, "changed");
  countItem(w.addedN, s.added, "added");
  countItem(w.removedN, s.removed, "removed");
  countItem(w.movedN, s.moved, "moved");
  if (s.split) countItem(w.splitN, s.split, "split");
  if (s.merged) countItem(w.mergedN, s.merged, "merged");
  countItem(w.unchangedN, s.unchanged, "unchanged");
  out += "</ul>\n";
  if (!diff.touchedPurposes.empty()) {
    out += "<p class=\"change-purposes\">";
    appendEscaped(out, w.purposes);
    for (size_t i = 0; i < diff.touchedPurposes.size(); ++i) {
      out += i ? "; " : " ";
      appendEscaped(out, purposeTitle(diff.touchedPurposes[i]));
    }
    out += "</p>\n";
  }
  bool anyChange = false;
  for (const ClauseDiff& c : diff.clauses) anyChange |= c.status != ClauseStatus::kUnchanged;
  if (anyChange) {
    out += "<nav class=\"change-index\" aria-label=\"";
    appendAttrEscaped(out, w.navLabel);
    out += "\"><ul>\n";
    for (size_t i = 0; i < diff.clauses.size(); ++i) {
      const ClauseDiff& c = diff.clauses[i];
      if (c.status == ClauseStatus::kUnchanged) continue;
      const std::string& number = c.inNew ? c.newNumber : c.oldNumber;
      out += "<li><a href=\"#" + anchors[i] + "\">";
      appendEscaped(out, clauseName(w, c, number));
      out += "</a> — ";
      appendEscaped(out, statusWords(w, c));
      out += "</li>\n";
    }
    out += "</ul></nav>\n";
  }
  out += "</section>\n";

  out += "<section class=\"change-list\" aria-labelledby=\"change-list-title\">\n";
  out += "<h2 id=\"change-list-title\">";
  appendEscaped(out, w.changes);
  out += "</h2>\n";
  if (!anyChange) {
    out += "<p>";
    appendEscaped(out, w.noChanges);
    out += "</p>\n";
  }
  for (size_t i = 0; i < diff.clauses.size(); ++i) {
    const ClauseDiff& c = diff.clauses[i];
    if (c.status == ClauseStatus::kUnchanged) continue;
    const std::string& number = c.inNew ? c.newNumber : c.oldNumber;
    const std::string& a = anchors[i];
    out += "<section class=\"change change-";
    out += statusClass(c.status);
    out += "\" id=\"" + a + "\" aria-labelledby=\"" + a + "-title\">\n";
    out += "<h3 id=\"" + a + "-title\">";
    appendEscaped(out, clauseName(w, c, number));
    out += " <span class=\"change-status\">";
    appendEscaped(out, statusWords(w, c));
    out += "</span></h3>\n<p class=\"change-text\">";
    if (c.ops.empty()) {
      appendEscaped(out, w.noText);
    } else {
      appendOps(out, c.ops);
    }
    out += "</p>\n";
    if (!c.purposes.empty()) {
      out += "<p class=\"change-purposes\">";
      appendEscaped(out, w.purposeOf);
      for (size_t k = 0; k < c.purposes.size(); ++k) {
        out += k ? "; " : " ";
        appendEscaped(out, purposeTitle(c.purposes[k]));
      }
      out += "</p>\n";
    }
    // Where the clause stands in each edition.
    std::vector<std::pair<std::string, std::string>> links;
    if (c.inOld && !c.oldNumber.empty() && !o.oldPage.empty()) {
      links.emplace_back(o.oldPage + "#" + core::clauseAnchor(c.oldNumber),
                         fill(fill(w.inEdition, 'E', o.oldLabel), 'N', c.oldNumber));
    }
    if (c.inNew && !c.newNumber.empty() && !o.newPage.empty()) {
      links.emplace_back(o.newPage + "#" + core::clauseAnchor(c.newNumber),
                         fill(fill(w.inEdition, 'E', o.newLabel), 'N', c.newNumber));
    }
    if (!links.empty()) {
      out += "<ul class=\"change-links\">";
      for (const auto& [href, label] : links) {
        out += "<li><a href=\"";
        detail::appendUrlEscaped(out, href);
        out += "\">";
        appendEscaped(out, label);
        out += "</a></li>";
      }
      out += "</ul>\n";
    }
    out += "</section>\n";
  }
  out += "</section>\n";
  return out;
}

}  // namespace charta::render
