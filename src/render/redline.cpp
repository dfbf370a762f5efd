#include "render/redline.h"

#include <set>

#include "core/clauses.h"
#include "render/page_words.h"
#include "render/text.h"

namespace charta::render {
namespace {

using core::ClauseDiff;
using core::ClauseStatus;
using core::WordOp;
using core::WordOpKind;
using detail::appendAttrEscaped;
using detail::appendEscaped;

using Words = detail::RedlineWords;

const Words& wordsFor(const core::Lang& lang) { return detail::stringsFor(lang).redline; }

std::string fill(std::string_view pattern, char key, std::string_view value) {
  std::string out(pattern);
  std::string marker = std::string("{") + key + "}";
  for (size_t p; (p = out.find(marker)) != std::string::npos;) out.replace(p, 3, value);
  return out;
}

const char* statusClass(ClauseStatus s) { return core::clauseStatusName(s); }

// The clause as its heading names it: "Пункт 4.1.10", "Раздел 5", "Вступление".
// Texts of the other profiles name a heading by its words too: "Section B.3 Account
// Requirements", "Heading: In short (B)".
std::string clauseName(const Words& w, const ClauseDiff& c, const std::string& number,
                       core::ClauseProfile profile) {
  if (c.preamble) return std::string(w.preamble);
  bool titled = profile != core::ClauseProfile::kDecimal && !c.title.empty();
  if (number.empty()) {
    if (!titled) return std::string(w.heading);
    return std::string(w.heading) + ": " + c.title +
           (c.within.empty() ? "" : " (" + c.within + ")");
  }
  std::string name = std::string(c.heading ? w.section : w.clause) + " " + number;
  return titled && c.heading ? name + " " + c.title : name;
}

std::string statusWords(const Words& w, const ClauseDiff& c) {
  switch (c.status) {
    case ClauseStatus::kUnchanged:
      return "";
    case ClauseStatus::kChanged:
      return std::string(w.changed);
    case ClauseStatus::kAdded:
      return std::string(w.added);
    case ClauseStatus::kRemoved:
      return std::string(w.removed);
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

// The anchor of every entry of "diff", unique: the clause's anchor in the new text
// ("p-4-1-10"), "removed-p-5-3" for a clause only in the old one, "preamble", "heading-N".
std::vector<std::string> anchorsOf(const core::DocumentDiff& diff) {
  std::set<std::string> used;
  std::vector<std::string> anchors;
  size_t headings = 0;
  core::ClauseGrammar grammar(diff.profile);
  bool slugged = diff.profile != core::ClauseProfile::kDecimal;
  for (const ClauseDiff& c : diff.clauses) {
    std::string a;
    if (c.preamble) {
      a = "preamble";
    } else if (c.inNew && !c.newNumber.empty()) {
      a = grammar.anchor(c.newNumber);
    } else if (!c.oldNumber.empty()) {
      a = "removed-" + grammar.anchor(c.oldNumber);
    } else if (slugged && !c.slug.empty()) {
      a = (c.inNew ? "" : "removed-") + c.slug;
    } else {
      a = "heading-" + std::to_string(++headings);
    }
    std::string unique = a;
    for (int n = 2; used.count(unique); ++n) unique = a + "-" + std::to_string(n);
    used.insert(unique);
    anchors.push_back(unique);
  }
  return anchors;
}

// The fragment being written.
class Redline {
 public:
  Redline(const core::DocumentDiff& diff, const RedlineOptions& o)
      : diff_(diff), o_(o), w_(wordsFor(o.lang)), anchors_(anchorsOf(diff)) {
    for (const ClauseDiff& c : diff.clauses) anyChange_ |= c.status != ClauseStatus::kUnchanged;
  }

  std::string run() {
    summary();
    changes();
    return std::move(out_);
  }

 private:
  // "Обновления продукции ... (marketing)": the catalogue's title and the id.
  std::string purposeTitle(const std::string& id) const {
    for (const auto& p : o_.purposes) {
      if (p.id.str() == id && !p.title.empty()) return p.title + " (" + id + ")";
    }
    return id;
  }

  void purposes(std::string_view label, const std::vector<std::string>& ids) {
    out_ += "<p class=\"change-purposes\">";
    appendEscaped(out_, label);
    for (size_t i = 0; i < ids.size(); ++i) {
      out_ += i ? "; " : " ";
      appendEscaped(out_, purposeTitle(ids[i]));
    }
    out_ += "</p>\n";
  }

  void countItem(std::string_view label, size_t n, const char* cls) {
    out_ += "<li class=\"count-";
    out_ += cls;
    out_ += "\">";
    appendEscaped(out_, label);
    out_ += ": <strong>" + std::to_string(n) + "</strong></li>\n";
  }

  // The summary: the counts, the purposes whose clause changed, the index of changed clauses.
  void summary() {
    const core::DiffSummary& s = diff_.summary;
    out_ += "<section class=\"change-summary\" aria-labelledby=\"change-summary-title\">\n";
    out_ += "<h2 id=\"change-summary-title\">";
    appendEscaped(out_, w_.summary);
    out_ += "</h2>\n<ul class=\"change-counts\">\n";
    countItem(w_.changedN, s.changed, "changed");
    countItem(w_.addedN, s.added, "added");
    countItem(w_.removedN, s.removed, "removed");
    countItem(w_.movedN, s.moved, "moved");
    if (s.split) countItem(w_.splitN, s.split, "split");
    if (s.merged) countItem(w_.mergedN, s.merged, "merged");
    countItem(w_.unchangedN, s.unchanged, "unchanged");
    out_ += "</ul>\n";
    if (!diff_.touchedPurposes.empty()) purposes(w_.purposes, diff_.touchedPurposes);
    if (anyChange_) index();
    out_ += "</section>\n";
  }

  void index() {
    out_ += "<nav class=\"change-index\" aria-label=\"";
    appendAttrEscaped(out_, w_.navLabel);
    out_ += "\"><ul>\n";
    for (size_t i = 0; i < diff_.clauses.size(); ++i) {
      const ClauseDiff& c = diff_.clauses[i];
      if (c.status == ClauseStatus::kUnchanged) continue;
      out_ += "<li><a href=\"#" + anchors_[i] + "\">";
      appendEscaped(out_, clauseName(w_, c, c.inNew ? c.newNumber : c.oldNumber, diff_.profile));
      out_ += "</a> — ";
      appendEscaped(out_, statusWords(w_, c));
      out_ += "</li>\n";
    }
    out_ += "</ul></nav>\n";
  }

  // The list: every clause that is not unchanged.
  void changes() {
    out_ += "<section class=\"change-list\" aria-labelledby=\"change-list-title\">\n";
    out_ += "<h2 id=\"change-list-title\">";
    appendEscaped(out_, w_.changes);
    out_ += "</h2>\n";
    if (!anyChange_) {
      out_ += "<p>";
      appendEscaped(out_, w_.noChanges);
      out_ += "</p>\n";
    }
    for (size_t i = 0; i < diff_.clauses.size(); ++i) {
      if (diff_.clauses[i].status != ClauseStatus::kUnchanged)
        change(diff_.clauses[i], anchors_[i]);
    }
    out_ += "</section>\n";
  }

  void change(const ClauseDiff& c, const std::string& a) {
    out_ += "<section class=\"change change-";
    out_ += statusClass(c.status);
    out_ += "\" id=\"" + a + "\" aria-labelledby=\"" + a + "-title\">\n";
    out_ += "<h3 id=\"" + a + "-title\">";
    appendEscaped(out_, clauseName(w_, c, c.inNew ? c.newNumber : c.oldNumber, diff_.profile));
    out_ += " <span class=\"change-status\">";
    appendEscaped(out_, statusWords(w_, c));
    out_ += "</span></h3>\n<p class=\"change-text\">";
    if (c.ops.empty()) {
      appendEscaped(out_, w_.noText);
    } else {
      appendOps(out_, c.ops);
    }
    out_ += "</p>\n";
    if (!c.purposes.empty()) purposes(w_.purposeOf, c.purposes);
    links(c);
    out_ += "</section>\n";
  }

  // Where the clause stands in each edition.
  void links(const ClauseDiff& c) {
    std::vector<std::pair<std::string, std::string>> links;
    if (c.inOld && !c.oldNumber.empty() && !o_.oldPage.empty()) {
      links.emplace_back(o_.oldPage + "#" + core::ClauseGrammar(diff_.profile).anchor(c.oldNumber),
                         fill(fill(w_.inEdition, 'E', o_.oldLabel), 'N', c.oldNumber));
    }
    if (c.inNew && !c.newNumber.empty() && !o_.newPage.empty()) {
      links.emplace_back(o_.newPage + "#" + core::ClauseGrammar(diff_.profile).anchor(c.newNumber),
                         fill(fill(w_.inEdition, 'E', o_.newLabel), 'N', c.newNumber));
    }
    if (links.empty()) return;
    out_ += "<ul class=\"change-links\">";
    for (const auto& [href, label] : links) {
      out_ += "<li><a href=\"";
      detail::appendUrlEscaped(out_, href);
      out_ += "\">";
      appendEscaped(out_, label);
      out_ += "</a></li>";
    }
    out_ += "</ul>\n";
  }

  const core::DocumentDiff& diff_;
  const RedlineOptions& o_;
  const Words& w_;
  std::vector<std::string> anchors_;
  bool anyChange_ = false;
  std::string out_;
};

}  // namespace

std::string redlineHtml(const core::DocumentDiff& diff, const RedlineOptions& options) {
  return Redline(diff, options).run();
}

}  // namespace charta::render
