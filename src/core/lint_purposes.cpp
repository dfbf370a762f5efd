// The purpose-moved rule: a purpose of charta.xml names a clause by its number, so when clauses
// are renumbered or moved the number may come to hold other words while charta.xml stays as it
// was, and consents to the purpose would cite the wrong clause. The redline's clause matching
// (core::diffTexts) says which old clause each new one holds.
#include <algorithm>

#include "core/diff.h"
#include "core/front_matter.h"
#include "core/lint_text.h"

namespace charta::core {
namespace {

// The clause of the diff that holds the words of old clause "number" in the new text, moved.
const ClauseDiff* movedFrom(const DocumentDiff& d, const std::string& number) {
  for (const ClauseDiff& c : d.clauses) {
    if (c.status == ClauseStatus::kMoved && !c.preamble && c.oldNumber == number) return &c;
  }
  return nullptr;
}

// The clause of the diff under new number "number", when it moved there from another number.
const ClauseDiff* movedTo(const DocumentDiff& d, const std::string& number) {
  for (const ClauseDiff& c : d.clauses) {
    if (c.status == ClauseStatus::kMoved && !c.preamble && c.newNumber == number) return &c;
  }
  return nullptr;
}

size_t registryLine(const LintInput& in, const Purpose& p) {
  size_t at = in.registryXml.find("id=\"" + p.id.str() + "\"");
  if (at == std::string::npos) return 0;
  return static_cast<size_t>(std::count(in.registryXml.begin(),
                                        in.registryXml.begin() + static_cast<long>(at), '\n')) +
         1;
}

}  // namespace

void lintPurposeMoves(const LintInput& in, std::vector<LintFinding>& out) {
  if (!in.previous) return;
  auto text = std::find_if(in.texts.begin(), in.texts.end(), [&](const LintText& t) {
    return t.lang == in.document.controllingLang;
  });
  if (text == in.texts.end() || !text->content) return;
  const LintPrevious& prev = *in.previous;
  DocumentDiff d = diffTexts(prev.body, splitFrontMatter(*text->content).body);
  for (const Purpose& p : in.document.purposes) {
    auto old = std::find_if(prev.purposes.begin(), prev.purposes.end(),
                            [&](const Purpose& q) { return q.id == p.id; });
    if (old == prev.purposes.end()) continue;
    const ClauseDiff* went = movedFrom(d, old->clause);  // where its words are now
    const ClauseDiff* came = movedTo(d, p.clause);       // what its number holds now
    bool followed = went && went->newNumber == p.clause;
    if (followed || (!went && (!came || came->oldNumber == old->clause))) continue;
    std::string message = "purpose \"" + p.id.str() + "\" is tied to clause " + p.clause;
    if (came && came->oldNumber != old->clause) {
      message += ", which now holds the words of clause " + came->oldNumber + " of " + prev.label;
    }
    if (went) {
      message += std::string(came && came->oldNumber != old->clause ? "; " : ", but ") +
                 "the words of clause " + old->clause + " it was tied to in " + prev.label +
                 " are now clause " + went->newNumber;
    }
    std::string hint =
        went ? "update charta.xml: clause=\"" + went->newNumber + "\" for purpose " + p.id.str()
             : "update charta.xml: tie purpose " + p.id.str() +
                   " to the clause that now states it, or restore the numbering";
    out.push_back(LintFinding{Severity::kError, "purpose-moved", in.registryPath,
                              registryLine(in, p), p.clause, message, hint, p.id.str(), ""});
  }
}

}  // namespace charta::core
