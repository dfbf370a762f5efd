#include "http/api_diff.h"

#include <Poco/JSON/Array.h>

#include "core/error.h"
#include "http/api_documents.h"

namespace charta::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::Dynamic::Var orNull(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

DiffSide resolve(const repository::PolicyRepository& repo, const core::Timeline& tl,
                 std::string_view text, const char* which) {
  auto spec = core::RevisionSpec::parse(text);
  if (!spec) {
    throw InvalidInput(std::string(which) + " \"" + std::string(text) +
                       "\" is neither v<N> nor a full 40-hex commit id");
  }
  if (spec->edition) {
    const core::Edition* e = tl.edition(*spec->edition);
    if (!e) throw NotFound("there is no edition " + spec->edition->str());
    return DiffSide{e->no.str(), e->commit, *e};
  }
  repo.readFile(*spec->commit, "charta.xml");  // NotFound: no such commit
  if (!repo.onBranch(*spec->commit)) {
    throw NotFound("there is no commit " + spec->commit->str() + " on the branch");
  }
  DiffSide side{spec->commit->str(), *spec->commit, std::nullopt};
  for (const core::Edition& e : tl.editions()) {
    if (e.commit == *spec->commit && !e.withdrawal) side.edition = e;
  }
  return side;
}

Object::Ptr sideJson(const DiffSide& s) {
  Object::Ptr o = newObject();
  o->set("revision", s.revision);
  o->set("edition", s.edition ? Poco::Dynamic::Var(s.edition->no.str()) : Poco::Dynamic::Var());
  o->set("commit", s.commit.str());
  return o;
}

}  // namespace

RevisionDiff diffRevisions(const repository::PolicyRepository& repo, const core::DocumentId& doc,
                           std::string_view from, std::string_view to,
                           const std::optional<core::Lang>& lang) {
  core::Timeline tl = repo.timeline(doc);
  DiffSide a = resolve(repo, tl, from, "from");
  DiffSide b = resolve(repo, tl, to, "to");
  core::Registry regA = repo.registry(a.commit);
  core::Registry regB = repo.registry(b.commit);
  const core::Document* docA = regA.document(doc);
  const core::Document* docB = regB.document(doc);
  if (!docA || !docB) {
    throw NotFound("charta.xml at " + (docA ? b : a).revision + " declares no document \"" +
                   doc.str() + "\"");
  }
  core::Lang l = lang.value_or(docB->controllingLang);
  auto textA = repo.text(*docA, a.commit, l);
  auto textB = repo.text(*docB, b.commit, l);
  if (!textA || !textB) {
    throw NotFound(doc.str() + " has no " + l.str() + " text at " + (textA ? b : a).revision);
  }
  RevisionDiff out{std::move(a), std::move(b), l, {}};
  out.diff = core::diffTexts(textA->body(), textB->body(), {docA->purposes, docB->purposes});
  return out;
}

Object::Ptr diffJson(const core::DocumentId& doc, const RevisionDiff& d) {
  Object::Ptr o = newObject();
  o->set("document", doc.str());
  o->set("lang", d.lang.str());
  o->set("from", sideJson(d.from));
  o->set("to", sideJson(d.to));
  const core::DiffSummary& s = d.diff.summary;
  Object::Ptr summary = newObject();
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
  for (const core::ClauseDiff& c : d.diff.clauses) {
    Object::Ptr e = newObject();
    e->set("status", std::string(core::clauseStatusName(c.status)));
    e->set("kind", std::string(c.preamble ? "preamble" : c.heading ? "heading" : "clause"));
    // Split: the old number is the clause the words came from; merged: the new one they went to.
    e->set("old_number", c.inOld || c.status == core::ClauseStatus::kSplit ? orNull(c.oldNumber)
                                                                           : Poco::Dynamic::Var());
    e->set("new_number", c.inNew || c.status == core::ClauseStatus::kMerged ? orNull(c.newNumber)
                                                                            : Poco::Dynamic::Var());
    e->set("text_changed", c.textChanged);
    Array::Ptr purposes = new Array;
    for (const auto& p : c.purposes) purposes->add(p);
    e->set("purposes", purposes);
    Array::Ptr ops = new Array;
    if (c.status != core::ClauseStatus::kUnchanged) {
      for (const core::WordOp& op : c.ops) {
        if (op.words.empty()) continue;
        Object::Ptr x = newObject();
        x->set("op", std::string(core::wordOpName(op.kind)));
        x->set("text", core::joinWords(op.words));
        x->set("space_before", op.words.front().spaceBefore);
        ops->add(x);
      }
    }
    e->set("ops", ops);
    clauses->add(e);
  }
  o->set("clauses", clauses);
  return o;
}

namespace {

class DiffApi : public ApiModule {
 public:
  explicit DiffApi(repository::PolicyRepository& repo) : repo_(repo) {}

  std::optional<Reply> handle(Request& req, core::Instant, const Caller& caller) override {
    if (req.path.substr(0, 18) != "/api/v1/documents/") return std::nullopt;
    auto segs = pathSegments(req.path, "/api/v1/");
    if (!segs || segs->size() != 3 || (*segs)[0] != "documents" || (*segs)[2] != "diff") {
      return std::nullopt;
    }
    requireMethod(req, {"GET", "HEAD"});
    requireQueryParams(req, {"from", "to", "lang"});
    core::DocumentId doc = documentParam((*segs)[1]);
    core::Timeline tl = repo_.timeline(doc);

    auto named = [&](const char* name) -> std::optional<std::string> {
      auto v = req.queryParam(name);
      if (v && v->empty()) {
        throw ApiError(400, "invalid-parameter", "Bad Request",
                       std::string(name) + " must be v<N> or a full commit id.");
      }
      return v;
    };
    auto from = named("from");
    auto to = named("to");
    std::optional<core::Lang> lang;
    if (auto l = req.queryParam("lang")) {
      lang = core::Lang::parse(*l);
      if (!lang)
        throw ApiError(400, "invalid-parameter", "Bad Request", "lang is no language tag.");
    }
    // Defaults: the latest edition, and the one before it.
    if (!to) {
      if (!tl.latest()) {
        throw ApiError(404, "document-not-found", "Not Found",
                       "No published document \"" + doc.str() + "\".");
      }
      to = tl.latest()->no.str();
    }
    if (!from) {
      auto no = core::EditionNo::parse(*to);
      if (no && (*to)[0] == 'v') {
        if (no->value() < 2) {
          throw ApiError(400, "invalid-parameter", "Bad Request",
                         "Edition v1 has no edition before it: name from.");
        }
        from = core::EditionNo::of(no->value() - 1)->str();
      } else if (tl.latest()) {
        from = tl.latest()->no.str();
      } else {
        throw ApiError(400, "invalid-parameter", "Bad Request", "Name from.");
      }
    }
    // Drafts are not public: only editions are.
    bool public_ = (*from)[0] == 'v' && (*to)[0] == 'v';
    if (!public_ && !caller.has("legal") && !caller.has("auditor")) requireRole(caller, "legal");

    RevisionDiff d = [&] {
      try {
        return diffRevisions(repo_, doc, *from, *to, lang);
      } catch (const InvalidInput& e) {
        throw ApiError(400, "invalid-parameter", "Bad Request", e.what());
      } catch (const NotFound& e) {
        throw ApiError(404, "not-found", "Not Found", std::string(e.what()) + ".");
      }
    }();
    std::string body = toJson(diffJson(doc, d));
    std::string etag = strongEtag(body);
    Reply r;
    r.route = "/api/v1/documents/{doc}/diff";
    r.contentType = "application/json";
    r.headers.emplace_back("Cache-Control",
                           public_ ? "public, max-age=31536000, immutable" : "private, no-store");
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Vary", "Authorization");
    for (const auto& h : securityHeaders()) r.headers.push_back(h);
    if (ifNoneMatch(req, etag)) {
      r.status = 304;
      return r;
    }
    r.status = 200;
    r.body = std::move(body);
    return r;
  }

  std::vector<std::string> routes() const override { return {"GET /api/v1/documents/{doc}/diff"}; }

 private:
  repository::PolicyRepository& repo_;
};

}  // namespace

std::unique_ptr<ApiModule> makeDiffApi(repository::PolicyRepository& repo) {
  return std::make_unique<DiffApi>(repo);
}

}  // namespace charta::http
