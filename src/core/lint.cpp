#include "core/lint.h"

#include <algorithm>
#include <set>

#include "core/lint_text.h"

namespace charta::core {
namespace {

std::string key(const LintFinding& f) {
  return f.rule + '\x1f' + f.file + '\x1f' + f.clause + '\x1f' + f.subject;
}

}  // namespace

const char* severityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

size_t LintReport::errors() const {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [](const auto& f) {
    return f.severity == Severity::kError;
  }));
}

size_t LintReport::warnings() const { return findings.size() - errors(); }

size_t LintReport::blocking() const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [](const auto& f) { return f.blocks(); }));
}

LintReport lint(const LintInput& in) {
  LintReport report;
  std::vector<std::string> order;
  for (const LintText& t : in.texts) {
    order.push_back(t.path);
    bool controlling = t.lang == in.document.controllingLang;
    if (!t.content) {
      report.findings.push_back(LintFinding{
          Severity::kError, "missing-text", t.path, 0, "",
          std::string(controlling ? "the controlling language " : "the language ") + t.lang.str() +
              " has no text: charta.xml names " + t.path + ", which does not exist",
          "add the file, or correct its path in charta.xml", "missing", ""});
      continue;  // without the text, its rules and the purposes cannot be checked
    }
    TextLint(in, t, report.findings).run();
    if (t.lagging && !controlling) {
      report.findings.push_back(LintFinding{
          Severity::kWarning, "lagging-text", t.path, 0, "",
          "the " + t.lang.str() + " text was last changed before the latest change of the " +
              in.document.controllingLang.str() + " text",
          "bring the translation up to date, or confirm it still says the same", "lagging", ""});
    }
  }
  lintPurposeMoves(in, report.findings);
  order.push_back(in.registryPath);
  auto rank = [&](const std::string& file) {
    return static_cast<size_t>(std::find(order.begin(), order.end(), file) - order.begin());
  };
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [&](const LintFinding& a, const LintFinding& b) {
                     if (a.file != b.file) return rank(a.file) < rank(b.file);
                     return a.line < b.line;
                   });
  return report;
}

void markInherited(LintReport& report, const LintReport& baseline, const std::string& label) {
  std::set<std::string> before;
  for (const auto& f : baseline.findings) before.insert(key(f));
  for (auto& f : report.findings) {
    if (before.count(key(f))) f.inheritedFrom = label;
  }
}

std::string formatFinding(const LintFinding& f) {
  std::string out = f.file;
  if (f.line) out += ":" + std::to_string(f.line);
  out += ": ";
  out += severityName(f.severity);
  out += " [" + f.rule + "]";
  if (!f.clause.empty()) out += " clause " + f.clause;
  out += ": " + f.message;
  if (!f.hint.empty()) out += " \xE2\x80\x94 fix: " + f.hint;
  if (!f.inheritedFrom.empty()) {
    out += " (already in " + f.inheritedFrom +
           (f.severity == Severity::kError ? ": does not block publishing)" : ")");
  }
  return out;
}

}  // namespace charta::core
