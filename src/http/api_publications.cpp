#include "http/api_publications.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <mutex>

#include "core/lint.h"
#include "http/api_documents.h"
#include "http/edition_json.h"
#include "service/publishing.h"

namespace charta::http {

using core::Instant;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::string_view kPrefix = "/api/v1/";

ApiError badField(const std::string& name, const std::string& what) {
  return ApiError(400, "invalid-field", "Bad Request", name + " " + what + ".");
}

std::optional<std::string> stringField(const Object::Ptr& body, const std::string& name) {
  if (!body->has(name) || body->isNull(name)) return std::nullopt;
  Poco::Dynamic::Var v = body->get(name);
  if (!v.isString()) throw badField(name, "must be a string");
  return v.extract<std::string>();
}

bool boolField(const Object::Ptr& body, const std::string& name) {
  if (!body->has(name) || body->isNull(name)) return false;
  Poco::Dynamic::Var v = body->get(name);
  if (v.type() != typeid(bool)) throw badField(name, "must be true or false");
  return v.extract<bool>();
}

class PublicationsApi : public ApiModule {
 public:
  PublicationsApi(repository::PolicyRepository& repo, SiteService& pages, Metrics& metrics,
                  PublicationsApiOptions options)
      : repo_(repo),
        publishing_(repo, {}),
        pages_(pages),
        metrics_(metrics),
        options_(std::move(options)) {
    // git refuses a tagger without e-mail.
    if (options_.publisherEmail.empty()) options_.publisherEmail = "api@charta.invalid";
  }

  std::vector<std::string> routes() const override {
    return {"GET /api/v1/documents/{doc}/revisions", "POST /api/v1/documents/{doc}/publications",
            "POST /api/v1/documents/{doc}/editions/{edition}/withdrawal"};
  }

  std::optional<Reply> handle(Request& req, Instant now, const Caller& caller) override {
    if (req.path.substr(0, 18) != "/api/v1/documents/") return std::nullopt;
    auto segs = pathSegments(req.path, kPrefix);
    if (!segs) return std::nullopt;
    const auto& s = *segs;
    if (s.size() == 3 && s[2] == "revisions") {
      requireMethod(req, {"GET", "HEAD"});
      requireRole(caller, "legal");
      return revisions(req, documentParam(s[1]));
    }
    if (s.size() == 3 && s[2] == "publications") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      refuseOnReplica();
      return publish(req, documentParam(s[1]), now, caller);
    }
    if (s.size() == 5 && s[2] == "editions" && s[4] == "withdrawal") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      refuseOnReplica();
      return withdraw(req, documentParam(s[1]), editionParam(s[3]), now, caller);
    }
    return std::nullopt;
  }

 private:
  void refuseOnReplica() const {
    if (!options_.replica) return;
    throw ApiError(409, "replica-read-only", "Conflict",
                   "This instance serves a replica of the policy repository; publish and withdraw "
                   "on the primary repository, replicas follow it.");
  }

  const core::Document& declared(const core::Registry& head, const core::DocumentId& id) {
    const core::Document* d = head.document(id);
    if (!d) {
      throw ApiError(404, "document-not-found", "Not Found",
                     "charta.xml at the branch tip declares no document \"" + id.str() + "\".");
    }
    return *d;
  }

  Reply revisions(const Request& req, const core::DocumentId& id) {
    requireQueryParams(req, {"limit"});
    size_t limit = 100;
    if (auto l = req.queryParam("limit")) {
      bool ok =
          !l->empty() && l->size() <= 4 && l->find_first_not_of("0123456789") == std::string::npos;
      int n = ok ? std::stoi(*l) : 0;
      if (n < 1 || n > 1000) {
        throw ApiError(400, "invalid-parameter", "Bad Request",
                       "limit must be a whole number from 1 to 1000.");
      }
      limit = static_cast<size_t>(n);
    }
    core::Registry head = repo_.registry(repo_.head());
    const core::Document& doc = declared(head, id);
    core::Timeline tl = repo_.timeline(id);
    std::map<std::string, std::vector<std::string>> published;
    for (const auto& e : tl.editions()) published[e.commit.str()].push_back(e.no.str());
    Array::Ptr arr = new Array;
    for (const auto& r : repo_.revisions(doc, limit)) {
      Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      o->set("commit", r.commit.str());
      o->set("author", r.author.name);
      o->set("email", r.author.email);
      o->set("time", core::formatRfc3339(r.time, core::kKazakhstanOffset, false));
      o->set("subject", r.subject());
      o->set("message", r.message);
      Array::Ptr eds = new Array;
      for (const auto& n : published[r.commit.str()]) eds->add(n);
      o->set("editions", eds);
      o->set("draft", eds->size() == 0);
      arr->add(o);
    }
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("document", id.str());
    o->set("revisions", arr);
    std::string bytes = toJson(o);
    std::string etag = strongEtag(bytes);
    Reply r;
    r.route = "/api/v1/documents/{doc}/revisions";
    r.contentType = "application/json";
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Cache-Control", "private, no-cache");
    for (const auto& h : securityHeaders()) r.headers.push_back(h);
    if (ifNoneMatch(req, etag)) {
      r.status = 304;
    } else {
      r.body = std::move(bytes);
    }
    return r;
  }

  // The ETag of `current` as of now, from a fresh look at the repository; with "next", also the
  // number the next edition gets in that same look.
  std::string currentEtag(const core::DocumentId& id, Instant now,
                          std::optional<core::EditionNo>* next = nullptr) {
    pages_.refresh();
    auto snap = pages_.snapshot();
    auto view = buildCurrentView(repo_, pages_, *snap, id, now);
    if (!view) {
      throw ApiError(404, "document-not-found", "Not Found", "No document \"" + id.str() + "\".");
    }
    if (next) {
      const DocumentState* d = snap->find(id);
      const core::Edition* latest = d ? d->timeline.latest() : nullptr;
      *next = core::EditionNo::of(latest ? latest->no.value() + 1 : 1);
    }
    return view->etag;
  }

  void checkPrecondition(std::string_view ifMatch, const std::string& etag) {
    if (!etagListContains(ifMatch, etag, false)) throw preconditionFailed(etag);
  }

  ApiError preconditionFailed(const std::string& etag) {
    metrics_.add("charta_publication_conflicts_total{reason=\"precondition\"}");
    ApiError e(412, "precondition-failed", "Precondition Failed",
               "The document changed since that ETag was read: read current again.");
    e.headers.emplace_back("ETag", etag);
    return e;
  }

  Reply publish(const Request& req, const core::DocumentId& id, Instant now, const Caller& caller) {
    requireQueryParams(req, {});
    PublicationBody b = parsePublicationBody(req);
    service::PublishRequest pr{id, std::nullopt, std::nullopt, core::kKazakhstanOffset, false, {},
                               "", std::nullopt, std::nullopt};
    pr.material = b.material;
    pr.summary = std::move(b.summary);
    pr.force = std::move(b.force);
    pr.publisher = core::Person{caller.name, options_.publisherEmail};
    const std::optional<core::RevisionSpec>& revision = b.revision;
    if (b.effectiveFrom) {
      pr.effectiveFrom = b.effectiveFrom->instant;
      pr.effectiveOffset = b.effectiveFrom->offset;
    }
    pr.renewPurposes = std::move(b.renewPurposes);
    auto ifMatch = req.header("If-Match");
    if (!ifMatch || *ifMatch == "*") {
      throw ApiError(
          428, "precondition-required", "Precondition Required",
          "Send If-Match with the ETag of GET /api/v1/documents/" + id.str() + "/current.");
    }

    std::lock_guard lock(mu_);
    now = core::now();  // the moment of the write, not of the arrival
    // The number the edition gets in the look that matched If-Match: a publication by another
    // process (the CLI, another instance) between that look and the write is a failed
    // precondition too, not a silent next number.
    std::optional<core::EditionNo> next;
    checkPrecondition(*ifMatch, currentEtag(id, now, &next));
    pr.expectedNo = next;
    if (revision && revision->edition) {
      core::Timeline tl = repo_.timeline(id);
      const core::Edition* e = tl.edition(*revision->edition);
      if (!e) {
        throw ApiError(422, "publication-refused", "Unprocessable Content",
                       "revision: there is no edition " + revision->edition->str() + ".");
      }
      pr.revision = e->commit;
    } else if (revision) {
      pr.revision = revision->commit;
    }
    service::PublishNotes notes;
    core::Edition e = [&] {
      try {
        return publishing_.publish(pr, now, &notes);
      } catch (const service::LintRefused& err) {
        // The findings that block, as `charta lint` reports them; "force" publishes anyway.
        ApiError problem(422, "lint-refused", "Unprocessable Content", err.what());
        problem.extra = Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER);
        Array::Ptr findings = new Array;
        for (const auto& f : err.report().findings) {
          if (!f.blocks()) continue;
          Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
          fo->set("severity", std::string(core::severityName(f.severity)));
          fo->set("rule", f.rule);
          fo->set("file", f.file);
          fo->set("line", static_cast<Poco::Int64>(f.line));
          fo->set("clause", f.clause);
          fo->set("message", f.message);
          fo->set("hint", f.hint);
          findings->add(fo);
        }
        problem.extra->set("findings", findings);
        throw problem;
      } catch (const InvalidInput& err) {
        throw ApiError(422, "publication-refused", "Unprocessable Content", err.what());
      } catch (const NotFound& err) {
        throw ApiError(422, "publication-refused", "Unprocessable Content", err.what());
      } catch (const service::UnexpectedEdition&) {
        throw preconditionFailed(currentEtag(id, core::now()));
      } catch (const Conflict& err) {
        metrics_.add("charta_publication_conflicts_total{reason=\"race\"}");
        throw ApiError(409, "publication-conflict", "Conflict", err.what());
      } catch (const Unavailable& err) {
        throw busy(err);
      }
    }();
    metrics_.add("charta_publications_total");
    std::string etag = currentEtag(id, now);
    core::Timeline tl = repo_.timeline(id);
    Object::Ptr o = editionJson(e, tl, now);
    // What `charta --json publish` adds: new lint warnings, purposes that may need renewal.
    Array::Ptr warnings = new Array;
    for (const auto& w : notes.warnings) warnings->add(w);
    o->set("warnings", warnings);
    Array::Ptr suggested = new Array;
    for (const auto& p : notes.suggestedRenewPurposes) suggested->add(p.str());
    o->set("suggested_renew_purposes", suggested);
    o->set("current_etag", etag);
    Reply r = jsonReply(201, o);
    r.route = "/api/v1/documents/{doc}/publications";
    r.headers.emplace_back("Location", "/api/v1/documents/" + id.str() + "/editions/" + e.no.str());
    return r;
  }

  Reply withdraw(const Request& req, const core::DocumentId& id, core::EditionNo no, Instant now,
                 const Caller& caller) {
    requireQueryParams(req, {});
    std::string reason = parseWithdrawalBody(req);
    auto ifMatch = req.header("If-Match");

    std::lock_guard lock(mu_);
    now = core::now();
    if (ifMatch) checkPrecondition(*ifMatch, currentEtag(id, now));
    core::Edition e = [&] {
      try {
        return publishing_.withdraw(id, no, reason,
                                    core::Person{caller.name, options_.publisherEmail}, now);
      } catch (const InvalidInput& err) {
        throw ApiError(422, "withdrawal-refused", "Unprocessable Content", err.what());
      } catch (const NotFound& err) {
        throw ApiError(404, "edition-not-found", "Not Found", err.what());
      } catch (const Conflict& err) {
        metrics_.add("charta_publication_conflicts_total{reason=\"withdrawn\"}");
        throw ApiError(409, "already-withdrawn", "Conflict", err.what());
      } catch (const Unavailable& err) {
        throw busy(err);
      }
    }();
    metrics_.add("charta_withdrawals_total");
    std::string etag = currentEtag(id, now);
    Object::Ptr o = editionJson(e, repo_.timeline(id), now);
    o->set("current_etag", etag);
    Reply r = jsonReply(200, o);
    r.route = "/api/v1/documents/{doc}/editions/{edition}/withdrawal";
    return r;
  }

  // A fresh git lock of another writer: nothing was written; the client retries later.
  static ApiError busy(const Unavailable& err) {
    ApiError e(503, "repository-busy", "Service Unavailable", err.what());
    e.headers.emplace_back("Retry-After", std::to_string(err.retryAfter().count()));
    return e;
  }

  repository::PolicyRepository& repo_;
  service::Publishing publishing_;  // replicas are refused above, with their own problem
  SiteService& pages_;
  Metrics& metrics_;
  PublicationsApiOptions options_;
  std::mutex mu_;  // one write at a time: the If-Match check and the write are one step
};

}  // namespace

PublicationBody parsePublicationBody(const Request& req) {
  Object::Ptr body = parseJsonBody(
      req, {"revision", "effective_from", "material", "renew_purposes", "summary", "force"});
  PublicationBody b;
  b.material = boolField(body, "material");
  b.summary = stringField(body, "summary").value_or("");
  b.force = stringField(body, "force");
  if (auto r = stringField(body, "revision")) {
    b.revision = core::RevisionSpec::parse(*r);
    if (!b.revision) throw badField("revision", "must be v<N> or a full 40-hex commit id");
  }
  if (auto t = stringField(body, "effective_from")) {
    b.effectiveFrom = core::parseRfc3339Zoned(*t);
    if (!b.effectiveFrom) {
      throw ApiError(400, "invalid-time", "Bad Request",
                     "effective_from must be an RFC 3339 time with an offset, like "
                     "2026-12-01T00:00:00+05:00.");
    }
  }
  if (body->has("renew_purposes") && !body->isNull("renew_purposes")) {
    Poco::Dynamic::Var v = body->get("renew_purposes");
    if (v.type() != typeid(Array::Ptr)) throw badField("renew_purposes", "must be an array");
    for (const auto& item : *v.extract<Array::Ptr>()) {
      auto p = item.isString() ? core::PurposeId::parse(item.extract<std::string>()) : std::nullopt;
      if (!p) throw badField("renew_purposes", "must hold purpose ids like \"marketing\"");
      b.renewPurposes.push_back(*p);
    }
  }
  return b;
}

std::string parseWithdrawalBody(const Request& req) {
  Object::Ptr body = parseJsonBody(req, {"reason"});
  auto reason = stringField(body, "reason");
  if (!reason || reason->empty()) throw badField("reason", "is required: say why");
  return *reason;
}

std::unique_ptr<ApiModule> makePublicationsApi(repository::PolicyRepository& repo,
                                               SiteService& pages, Metrics& metrics,
                                               PublicationsApiOptions options) {
  return std::make_unique<PublicationsApi>(repo, pages, metrics, std::move(options));
}

}  // namespace charta::http
