#include "app/cli_redline.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <ostream>

#include "app/cli.h"
#include "core/diff.h"
#include "core/error.h"
#include "core/lint.h"
#include "http/api_diff.h"
#include "repository/policy_repository.h"
#include "service/publishing.h"

namespace charta::app {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::unique_ptr<repository::PolicyRepository> openRepository(const CommandContext& c) {
  repository::RepositoryOptions opts;
  opts.branch = c.config.getString("repository.branch", "");
  return repository::PolicyRepository::open(c.config.getString("repository.path"), opts);
}

core::DocumentId docArg(const CommandContext& c) {
  const std::string& raw = c.args.need(0, "document id");
  auto id = core::DocumentId::parse(raw);
  if (!id) throw InvalidInput("\"" + raw + "\" is not a document id (like personal-data)");
  return *id;
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

}  // namespace

int runDiffCommand(const CommandContext& c) {
  c.args.atMost(3);
  core::DocumentId doc = docArg(c);
  const std::string& from = c.args.need(1, "from (v<N> or a commit id)");
  const std::string& to = c.args.need(2, "to (v<N> or a commit id)");
  std::optional<core::Lang> lang;
  if (auto l = c.args.option("lang")) {
    lang = core::Lang::parse(*l);
    if (!lang) throw InvalidInput("\"" + *l + "\" is not a language tag");
  }
  bool colour = !c.json && useColour(c);
  auto repo = openRepository(c);
  http::RevisionDiff d = http::diffRevisions(*repo, doc, from, to, lang);
  if (c.json) {
    http::diffJson(doc, d)->stringify(c.out, 2);
    c.out << '\n';
    return kOk;
  }
  const core::DiffSummary& s = d.diff.summary;
  std::string bold = colour ? "\x1b[1m" : "", reset = colour ? "\x1b[0m" : "";
  c.out << bold << doc.str() << ' ' << d.from.revision << " -> " << d.to.revision << " ("
        << d.lang.str() << "): " << count(s.changed, "changed") << ", " << count(s.moved, "moved")
        << ", " << count(s.added, "added") << ", " << count(s.removed, "removed");
  if (s.split) c.out << ", " << count(s.split, "split");
  if (s.merged) c.out << ", " << count(s.merged, "merged");
  c.out << ", " << count(s.unchanged, "unchanged") << reset << '\n';
  if (!d.diff.touchedPurposes.empty()) {
    c.out << "purposes whose clause changed (Renew-Purposes, if material):";
    for (const auto& p : d.diff.touchedPurposes) c.out << ' ' << p;
    c.out << '\n';
  }
  core::DiffMarkers markers;
  if (colour) {
    markers = {"\x1b[9;31m", "\x1b[0m", "\x1b[4;32m", "\x1b[0m"};
  }
  c.out << core::formatDiffPlain(d.diff, markers);
  return kOk;
}

int runLintCommand(const CommandContext& c) {
  c.args.atMost(2);
  core::DocumentId doc = docArg(c);
  auto repo = openRepository(c);
  core::Timeline tl = repo->timeline(doc);
  core::CommitId commit = repo->head();
  std::string label = "draft " + commit.str().substr(0, 12);
  const core::Edition* edition = nullptr;
  if (c.args.positional().size() > 1) {
    const std::string& rev = c.args.positional()[1];
    auto spec = core::RevisionSpec::parse(rev);
    if (!spec) throw InvalidInput("\"" + rev + "\" is neither v<N> nor a full 40-hex commit id");
    if (spec->edition) {
      edition = tl.edition(*spec->edition);
      if (!edition) throw NotFound("no edition " + spec->edition->str() + " of " + doc.str());
      commit = edition->commit;
      label = edition->no.str();
    } else {
      repo->readFile(*spec->commit, "charta.xml");  // NotFound: no such commit
      if (!repo->onBranch(*spec->commit)) {
        throw NotFound("no commit " + spec->commit->str() + " on the branch");
      }
      commit = *spec->commit;
      label = commit.str().substr(0, 12);
    }
  }
  // When it takes effect: the edition's own moment, or as publish would have it.
  std::optional<core::Instant> effective;
  std::chrono::minutes offset = core::kKazakhstanOffset;
  if (edition) {
    effective = edition->effectiveFrom;
    offset = edition->effectiveOffset;
    if (c.args.option("effective-from")) {
      throw InvalidInput("--effective-from is for drafts: edition " + label + " has its own");
    }
  } else if (auto t = c.args.option("effective-from")) {
    auto z = core::parseRfc3339Zoned(*t);
    if (!z) {
      throw InvalidInput("--effective-from \"" + *t +
                         "\" is not an RFC 3339 time with an offset, like "
                         "2026-12-01T00:00:00+05:00");
    }
    effective = z->instant;
    offset = z->offset;
  } else {
    effective = core::now();
  }
  // The baseline: the latest edition not withdrawn before this one (or at all, for a draft).
  service::LintResult linted = service::Publishing(*repo, {}).lint(
      doc, commit, effective, offset, edition ? std::optional(edition->no) : std::nullopt);
  const core::LintReport& report = linted.report;
  const std::optional<core::EditionNo>& baseline = linted.baseline;

  if (c.json) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("document", doc.str());
    o->set("revision", edition ? edition->no.str() : commit.str());
    o->set("commit", commit.str());
    o->set("baseline", baseline ? Poco::Dynamic::Var(baseline->str()) : Poco::Dynamic::Var());
    o->set("errors", static_cast<Poco::Int64>(report.errors()));
    o->set("warnings", static_cast<Poco::Int64>(report.warnings()));
    o->set("blocking", static_cast<Poco::Int64>(report.blocking()));
    Array::Ptr findings = new Array;
    for (const auto& f : report.findings) {
      Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      fo->set("severity", std::string(core::severityName(f.severity)));
      fo->set("rule", f.rule);
      fo->set("file", f.file);
      fo->set("line",
              f.line ? Poco::Dynamic::Var(static_cast<Poco::Int64>(f.line)) : Poco::Dynamic::Var());
      fo->set("clause", f.clause.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(f.clause));
      fo->set("message", f.message);
      fo->set("hint", f.hint);
      fo->set("inherited_from",
              f.inheritedFrom.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(f.inheritedFrom));
      fo->set("blocks", f.blocks());
      findings->add(fo);
    }
    o->set("findings", findings);
    o->stringify(c.out, 2);
    c.out << '\n';
  } else {
    for (const auto& f : report.findings) c.out << core::formatFinding(f) << '\n';
    c.out << doc.str() << " at " << label << ": " << count(report.errors(), "error")
          << (report.errors() == 1 ? "" : "s") << ", " << count(report.warnings(), "warning")
          << (report.warnings() == 1 ? "" : "s");
    if (report.errors() > report.blocking()) {
      c.out << " (" << report.errors() - report.blocking() << " already in " << baseline->str()
            << ')';
    }
    c.out << (report.blocking() ? "; publishing would be refused" : "") << '\n';
  }
  return report.blocking() ? kInvalid : kOk;
}

}  // namespace charta::app
