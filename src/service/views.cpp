#include "service/views.h"

#include <Poco/JSON/Array.h>

#include "service/catalog.h"
#include "service/revisions.h"

namespace charta::service {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr jsonObject() { return Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER); }

namespace {

Var orNull(const std::string& s) { return s.empty() ? Var() : Var(s); }

std::string when(core::Instant t, std::chrono::minutes offset) {
  return core::formatRfc3339(t, offset, false);
}

Object::Ptr sideJson(const NamedRevision& s) {
  Object::Ptr o = jsonObject();
  o->set("revision", s.revision);
  o->set("edition", s.edition ? Var(s.edition->no.str()) : Var());
  o->set("commit", s.commit.str());
  return o;
}

Object::Ptr clauseJson(const core::ClauseDiff& c) {
  Object::Ptr e = jsonObject();
  e->set("status", std::string(core::clauseStatusName(c.status)));
  e->set("kind", std::string(c.preamble ? "preamble" : c.heading ? "heading" : "clause"));
  // Split: the old number is the clause the words came from; merged: the new one they went to.
  e->set("old_number",
         c.inOld || c.status == core::ClauseStatus::kSplit ? orNull(c.oldNumber) : Var());
  e->set("new_number",
         c.inNew || c.status == core::ClauseStatus::kMerged ? orNull(c.newNumber) : Var());
  e->set("text_changed", c.textChanged);
  Array::Ptr purposes = new Array;
  for (const auto& p : c.purposes) purposes->add(p);
  e->set("purposes", purposes);
  Array::Ptr ops = new Array;
  if (c.status != core::ClauseStatus::kUnchanged) {
    for (const core::WordOp& op : c.ops) {
      if (op.words.empty()) continue;
      Object::Ptr x = jsonObject();
      x->set("op", std::string(core::wordOpName(op.kind)));
      x->set("text", core::joinWords(op.words));
      x->set("space_before", op.words.front().spaceBefore);
      ops->add(x);
    }
  }
  e->set("ops", ops);
  return e;
}

}  // namespace

Object::Ptr editionJson(const core::Edition& e, const core::Timeline& timeline, core::Instant now) {
  Object::Ptr o = jsonObject();
  o->set("document", e.doc.str());
  o->set("edition", e.no.str());
  o->set("number", e.no.value());
  o->set("commit", e.commit.str());
  o->set("published_at", when(e.publishedAt, e.effectiveOffset));
  o->set("effective_from", when(e.effectiveFrom, e.effectiveOffset));
  o->set("status", std::string(core::statusName(timeline.statusAt(e, now))));
  o->set("material", e.material);
  Array::Ptr renew = new Array;
  for (const auto& p : e.renewPurposes) renew->add(p.str());
  o->set("renew_purposes", renew);
  o->set("summary", e.summary);
  Object::Ptr publisher = jsonObject();
  publisher->set("name", e.publisher.name);
  publisher->set("email", e.publisher.email);
  o->set("publisher", publisher);
  if (e.forcedReason) o->set("forced", *e.forcedReason);
  if (e.withdrawal) {
    Object::Ptr w = jsonObject();
    w->set("at", when(e.withdrawal->at, e.effectiveOffset));
    w->set("by", e.withdrawal->by.name);
    w->set("reason", e.withdrawal->reason);
    o->set("withdrawal", w);
  } else {
    o->set("withdrawal", Var());
  }
  return o;
}

Object::Ptr publicationJson(const core::Edition& e, const core::Timeline& timeline,
                            const PublishNotes& notes, core::Instant now) {
  Object::Ptr o = editionJson(e, timeline, now);
  Array::Ptr warnings = new Array;
  for (const auto& w : notes.warnings) warnings->add(w);
  o->set("warnings", warnings);
  Array::Ptr suggested = new Array;
  for (const auto& p : notes.suggestedRenewPurposes) suggested->add(p.str());
  o->set("suggested_renew_purposes", suggested);
  return o;
}

Object::Ptr inForceJson(const core::Edition& e, const core::Timeline& timeline, core::Instant at,
                        core::Instant now) {
  Object::Ptr o = editionJson(e, timeline, now);
  o->set("at", when(at, core::kKazakhstanOffset));
  Array::Ptr up = new Array;
  for (const core::Edition* u : timeline.upcomingAt(at)) up->add(editionJson(*u, timeline, now));
  o->set("upcoming", up);
  auto next = timeline.nextSwitchAfter(at);
  o->set("next_switch", next ? Var(when(*next, core::kKazakhstanOffset)) : Var());
  return o;
}

Object::Ptr scheduleJson(const Snapshot& snap, core::Instant at) {
  auto moment = [](const std::optional<core::Instant>& t) {
    return t ? Var(when(*t, core::kKazakhstanOffset)) : Var();
  };
  Object::Ptr o = jsonObject();
  o->set("generated_at", when(at, core::kKazakhstanOffset));
  std::optional<core::Instant> next;
  Array::Ptr docs = new Array;
  for (const auto& d : snap.documents) {
    Object::Ptr doc = jsonObject();
    doc->set("document", d->document.id.str());
    doc->set("route", d->document.route);
    const core::Edition* e = d->timeline.inForceAt(at);
    doc->set("in_force", e ? Var(e->no.str()) : Var());
    auto n = d->timeline.nextSwitchAfter(at);
    doc->set("next_switch", moment(n));
    if (n && (!next || *n < *next)) next = n;
    docs->add(doc);
  }
  o->set("next_switch", moment(next));
  o->set("documents", docs);
  return o;
}

Object::Ptr revisionJson(const core::RevisionInfo& r,
                         const std::vector<core::EditionNo>& editions) {
  Object::Ptr o = jsonObject();
  o->set("commit", r.commit.str());
  o->set("author", r.author.name);
  o->set("email", r.author.email);
  o->set("time", when(r.time, core::kKazakhstanOffset));
  o->set("subject", r.subject());
  o->set("message", r.message);
  Array::Ptr eds = new Array;
  for (const auto& n : editions) eds->add(n.str());
  o->set("editions", eds);
  o->set("draft", editions.empty());
  return o;
}

Object::Ptr diffJson(const core::DocumentId& doc, const RevisionDiff& d) {
  Object::Ptr o = jsonObject();
  o->set("document", doc.str());
  o->set("lang", d.lang.str());
  o->set("from", sideJson(d.from));
  o->set("to", sideJson(d.to));
  const core::DiffSummary& s = d.diff.summary;
  Object::Ptr summary = jsonObject();
  summary->set("unchanged", s.unchanged);
  summary->set("changed", s.changed);
  summary->set("moved", s.moved);
  summary->set("added", s.added);
  summary->set("removed", s.removed);
  summary->set("split", s.split);
  summary->set("merged", s.merged);
  o->set("summary", summary);
  Array::Ptr touched = new Array;
  for (const auto& p : d.diff.touchedPurposes) touched->add(p);
  o->set("touched_purposes", touched);
  Array::Ptr clauses = new Array;
  for (const core::ClauseDiff& c : d.diff.clauses) clauses->add(clauseJson(c));
  o->set("clauses", clauses);
  return o;
}

Object::Ptr lintFindingJson(const core::LintFinding& f) {
  Object::Ptr o = jsonObject();
  o->set("severity", std::string(core::severityName(f.severity)));
  o->set("rule", f.rule);
  o->set("file", f.file);
  o->set("line", f.line ? Var(static_cast<Poco::Int64>(f.line)) : Var());
  o->set("clause", orNull(f.clause));
  o->set("message", f.message);
  o->set("hint", f.hint);
  o->set("inherited_from", orNull(f.inheritedFrom));
  o->set("blocks", f.blocks());
  return o;
}

Array::Ptr lintFindingsJson(const core::LintReport& report, bool blockingOnly) {
  Array::Ptr findings = new Array;
  for (const auto& f : report.findings) {
    if (!blockingOnly || f.blocks()) findings->add(lintFindingJson(f));
  }
  return findings;
}

Object::Ptr lintReportJson(const core::DocumentId& doc, const std::string& revision,
                           const core::CommitId& commit, std::optional<core::EditionNo> baseline,
                           const core::LintReport& report) {
  Object::Ptr o = jsonObject();
  o->set("document", doc.str());
  o->set("revision", revision);
  o->set("commit", commit.str());
  o->set("baseline", baseline ? Var(baseline->str()) : Var());
  o->set("errors", static_cast<Poco::Int64>(report.errors()));
  o->set("warnings", static_cast<Poco::Int64>(report.warnings()));
  o->set("blocking", static_cast<Poco::Int64>(report.blocking()));
  o->set("findings", lintFindingsJson(report, false));
  return o;
}

}  // namespace charta::service
