// GET …/revisions and GET …/diff: see modules.h.
#include <Poco/JSON/Array.h>

#include "api/modules.h"
#include "api/request.h"
#include "service/views.h"

namespace charta::api {

using Poco::JSON::Array;
using Poco::JSON::Object;
using service::Fault;

namespace {

// Query parameter "name" as a revision (v<N> or a full commit id); nullopt when absent.
std::optional<core::RevisionSpec> revisionParam(const http::Request& req, const char* name) {
  auto v = req.queryParam(name);
  if (!v) return std::nullopt;
  auto spec = core::RevisionSpec::parse(*v);
  if (!spec) {
    throw Problem(Fault::kInvalidParameter,
                  std::string(name) + " must be v<N> or a full 40-hex commit id.");
  }
  return spec;
}

class RevisionsApi : public ApiModule {
 public:
  explicit RevisionsApi(const service::Revisions& revisions) : revisions_(revisions) {}

  std::vector<std::string> routes() const override {
    return {"GET /api/v1/documents/{doc}/revisions", "GET /api/v1/documents/{doc}/diff"};
  }

  std::optional<http::Reply> handle(http::Request& req, core::Instant,
                                    const Caller& caller) override {
    if (req.path.substr(0, 18) != "/api/v1/documents/") return std::nullopt;
    auto segs = pathSegments(req.path, "/api/v1/");
    if (!segs || segs->size() != 3) return std::nullopt;
    const std::string& what = (*segs)[2];
    if (what != "revisions" && what != "diff") return std::nullopt;
    requireMethod(req, {"GET", "HEAD"});
    if (what == "revisions") {
      requireRole(caller, "legal");
      return revisions(req, documentParam((*segs)[1]));
    }
    return diff(req, documentParam((*segs)[1]), caller);
  }

 private:
  http::Reply revisions(const http::Request& req, const core::DocumentId& id) {
    requireQueryParams(req, {"limit"});
    int limit = intParam(req, "limit", 100, 1, 1000);
    service::RevisionLog log = revisions_.log(id, static_cast<size_t>(limit));
    Array::Ptr list = new Array;
    for (const auto& r : log.revisions) list->add(service::revisionJson(r.info, r.editions));
    Object::Ptr o = Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("document", id.str());
    o->set("revisions", list);
    return send(req, *answer(toJson(o)), "private, no-cache", "/api/v1/documents/{doc}/revisions");
  }

  http::Reply diff(const http::Request& req, const core::DocumentId& doc, const Caller& caller) {
    requireQueryParams(req, {"from", "to", "lang"});
    auto from = revisionParam(req, "from");
    auto to = revisionParam(req, "to");
    std::optional<core::Lang> lang;
    if (auto l = req.queryParam("lang")) {
      lang = core::Lang::parse(*l);
      if (!lang) throw Problem(Fault::kInvalidParameter, "lang is no language tag.");
    }
    // Drafts are not public: only editions are (an absent side defaults to an edition).
    bool editions = (!from || from->edition) && (!to || to->edition);
    if (!editions && !caller.has("legal") && !caller.has("auditor")) requireRole(caller, "legal");
    service::RevisionDiff d = revisions_.diff(doc, from, to, lang);
    http::Reply r =
        send(req, *answer(toJson(service::diffJson(doc, d))),
             editions ? kImmutable : "private, no-store", "/api/v1/documents/{doc}/diff");
    r.headers.emplace_back("Vary", "Authorization");
    return r;
  }

  const service::Revisions& revisions_;
};

}  // namespace

std::unique_ptr<ApiModule> makeRevisionsApi(const service::Revisions& revisions) {
  return std::make_unique<RevisionsApi>(revisions);
}

}  // namespace charta::api
