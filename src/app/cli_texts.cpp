// charta log | show | diff | lint
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "app/commands.h"
#include "app/open.h"
#include "core/error.h"
#include "core/lint.h"
#include "service/revisions.h"
#include "service/views.h"

namespace charta::app {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

void logToStderr(const std::string& line) { std::cerr << "charta: " << line << '\n'; }

// Reading the history needs no publishing rules but the lint's; Publishing is that entry point.
struct History {
  std::unique_ptr<repository::PolicyRepository> repo;
  service::Publishing publishing;
  service::Revisions revisions;

  explicit History(const CommandContext& c)
      : repo(openRepository(c.config, logToStderr)),
        publishing(*repo, publishingOptions(c.config)),
        revisions(*repo, publishing) {}
};

core::RevisionSpec revisionArg(const std::string& text) {
  auto spec = core::RevisionSpec::parse(text);
  if (!spec) throw InvalidInput("\"" + text + "\" is neither v<N> nor a full 40-hex commit id");
  return *spec;
}

std::optional<core::Lang> langOption(const CommandContext& c) {
  auto l = c.args.option("lang");
  if (!l) return std::nullopt;
  auto lang = core::Lang::parse(*l);
  if (!lang) throw InvalidInput("\"" + *l + "\" is not a language tag");
  return lang;
}

bool useColour(const CommandContext& c) {
  std::string mode = c.args.option("color").value_or("auto");
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode != "auto") throw InvalidInput("--color wants auto, always or never");
  const char* noColor = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return &c.out == &std::cout && isatty(STDOUT_FILENO) && !(noColor && *noColor) &&
         !(term && std::string_view(term) == "dumb");
}

std::string count(size_t n, const char* what) { return std::to_string(n) + " " + what; }

void printDiff(std::ostream& out, const core::DocumentId& doc, const service::RevisionDiff& d,
               bool colour) {
  const core::DiffSummary& s = d.diff.summary;
  std::string bold = colour ? "\x1b[1m" : "", reset = colour ? "\x1b[0m" : "";
  out << bold << doc.str() << ' ' << d.from.revision << " -> " << d.to.revision << " ("
      << d.lang.str() << "): " << count(s.changed, "changed") << ", " << count(s.moved, "moved")
      << ", " << count(s.added, "added") << ", " << count(s.removed, "removed");
  if (s.split) out << ", " << count(s.split, "split");
  if (s.merged) out << ", " << count(s.merged, "merged");
  out << ", " << count(s.unchanged, "unchanged") << reset << '\n';
  if (!d.diff.touchedPurposes.empty()) {
    out << "purposes whose clause changed (Renew-Purposes, if material):";
    for (const auto& p : d.diff.touchedPurposes) out << ' ' << p;
    out << '\n';
  }
  core::DiffMarkers markers;
  if (colour) markers = {"\x1b[9;31m", "\x1b[0m", "\x1b[4;32m", "\x1b[0m"};
  out << core::formatDiffPlain(d.diff, markers);
}

void printLint(std::ostream& out, const service::LintRun& run) {
  const core::LintReport& report = run.result.report;
  for (const auto& f : report.findings) out << core::formatFinding(f) << '\n';
  out << run.doc.str() << " at " << run.label << ": " << count(report.errors(), "error")
      << (report.errors() == 1 ? "" : "s") << ", " << count(report.warnings(), "warning")
      << (report.warnings() == 1 ? "" : "s");
  if (report.errors() > report.blocking() && run.result.baseline) {
    out << " (" << report.errors() - report.blocking() << " already in "
        << run.result.baseline->str() << ')';
  }
  out << (report.blocking() ? "; publishing would be refused" : "") << '\n';
}

}  // namespace

int runLog(const CommandContext& c) {
  c.args.atMost(1);
  auto id = c.doc(0);
  service::RevisionLog log = History(c).revisions.log(id, 1000, c.args.flag("all"));
  if (c.json) {
    Array::Ptr arr = new Array;
    for (const auto& r : log.revisions) arr->add(service::revisionJson(r.info, r.editions));
    c.printJson(arr);
    return kOk;
  }
  for (const auto& r : log.revisions) {
    c.out << r.info.commit.str().substr(0, 12) << "  "
          << core::formatRfc3339(r.info.time, core::kKazakhstanOffset, false) << "  "
          << r.info.author.name << "  " << r.info.subject();
    if (r.editions.empty()) c.out << "  [draft]";
    for (const auto& n : r.editions) c.out << "  [" << n.str() << ']';
    c.out << '\n';
  }
  return kOk;
}

int runShow(const CommandContext& c) {
  c.args.atMost(1);
  const std::string& spec = c.args.need(0, "document[@v<N>|@<commit>]");
  auto at = spec.find('@');
  auto id = core::DocumentId::parse(spec.substr(0, at));
  if (!id) throw InvalidInput("\"" + spec.substr(0, at) + "\" is not a document id");
  std::optional<core::RevisionSpec> rev;
  if (at != std::string::npos) rev = revisionArg(spec.substr(at + 1));
  service::ShownText t = History(c).revisions.show(*id, rev, langOption(c), core::now());
  if (!c.json) {
    c.out << t.text.body();
    return kOk;
  }
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("document", id->str());
  o->set("revision", t.label);
  o->set("commit", t.commit.str());
  o->set("lang", t.lang.str());
  o->set("path", t.text.path);
  o->set("title", t.title);
  o->set("text_sha256", t.text.sha256);
  o->set("text", t.text.body());
  c.printJson(o);
  return kOk;
}

int runDiff(const CommandContext& c) {
  c.args.atMost(3);
  core::DocumentId doc = c.doc(0);
  auto from = revisionArg(c.args.need(1, "from (v<N> or a commit id)"));
  auto to = revisionArg(c.args.need(2, "to (v<N> or a commit id)"));
  auto lang = langOption(c);
  bool colour = !c.json && useColour(c);
  service::RevisionDiff d = History(c).revisions.diff(doc, from, to, lang);
  if (c.json) {
    c.printJson(service::diffJson(doc, d));
  } else {
    printDiff(c.out, doc, d, colour);
  }
  return kOk;
}

int runLint(const CommandContext& c) {
  c.args.atMost(2);
  core::DocumentId doc = c.doc(0);
  std::optional<core::RevisionSpec> rev;
  if (c.args.positional().size() > 1) rev = revisionArg(c.args.positional()[1]);
  auto effective = c.time("effective-from");
  service::LintRun run = History(c).revisions.lint(doc, rev, effective, core::now());
  if (c.json) {
    c.printJson(service::lintReportJson(doc, run.revision, run.commit, run.result.baseline,
                                        run.result.report));
  } else {
    printLint(c.out, run);
  }
  return run.result.report.blocking() ? kInvalid : kOk;
}

}  // namespace charta::app
