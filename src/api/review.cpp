// The legal team's review of a draft (role legal): see modules.h.
#include <mutex>

#include "api/bodies.h"
#include "api/modules.h"
#include "api/request.h"
#include "service/errors.h"

namespace charta::api {

using core::Instant;
using service::Fault;

namespace {

core::CommitId commitParam(const std::string& segment) {
  auto c = core::CommitId::parse(segment);
  if (!c) throw Problem(Fault::kInvalidRequest, "The revision must be a full 40-hex commit id.");
  return *c;
}

class ReviewApi : public ApiModule {
 public:
  ReviewApi(service::Publishing& publishing, const service::Previews& previews,
            service::Catalog& catalog, std::string publisherEmail)
      : publishing_(publishing),
        previews_(previews),
        catalog_(catalog),
        email_(publisherEmail.empty() ? "api@charta.invalid" : std::move(publisherEmail)) {}

  std::vector<std::string> routes() const override {
    return {"POST /api/v1/documents/{doc}/revisions/{commit}/approvals",
            "GET /api/v1/documents/{doc}/revisions/{commit}/page",
            "GET /api/v1/documents/{doc}/revisions/{commit}/redline"};
  }

  std::optional<http::Reply> handle(http::Request& req, Instant, const Caller& caller) override {
    if (req.path.substr(0, 18) != "/api/v1/documents/") return std::nullopt;
    auto segs = pathSegments(req.path, "/api/v1/");
    if (!segs || segs->size() != 5 || (*segs)[2] != "revisions") return std::nullopt;
    const std::string& what = (*segs)[4];
    if (what != "approvals" && what != "page" && what != "redline") return std::nullopt;
    if (what == "approvals") {
      requireMethod(req, {"POST"});
    } else {
      requireMethod(req, {"GET", "HEAD"});
    }
    requireRole(caller, "legal");
    const core::DocumentId doc = documentParam((*segs)[1]);
    const core::CommitId commit = commitParam((*segs)[3]);
    if (what == "approvals") {
      return approve(req, doc, commit, caller);
    }
    return page(req, doc, commit, what == "redline");
  }

 private:
  // The rules' refusals of a revision: charta.xml invalid there is itself; the rest is 422.
  template <typename F>
  static auto judged(F&& f) {
    try {
      return f();
    } catch (const service::Failure&) {
      throw;
    } catch (const repository::InvalidRegistry& e) {
      throw service::failureOf(e);
    } catch (const service::ReplicaReadOnly& e) {
      throw service::failureOf(e);
    } catch (const InvalidInput& e) {
      throw service::Failure(Fault::kPublicationRefused, e.what());
    }
  }

  http::Reply approve(const http::Request& req, const core::DocumentId& doc,
                      const core::CommitId& commit, const Caller& caller) {
    requireQueryParams(req, {});
    if (!req.body.empty()) {
      auto body = parseJsonBody(req, {"approve"});
      if (body->size() != 0) {
        throw Problem(Fault::kUnknownField, "The body of an approval is empty or {}.");
      }
    }
    std::lock_guard lock(mu_);
    service::ApprovalState s = judged([&] {
      return publishing_.approve(doc, commit, core::Person{caller.name, email_}, core::now());
    });
    catalog_.refresh();
    http::Reply r = jsonReply(201, service::approvalStateJson(s),
                              "/api/v1/documents/{doc}/revisions/{commit}/approvals");
    r.headers.emplace_back(
        "Location", "/api/v1/documents/" + doc.str() + "/revisions/" + commit.str() + "/approvals");
    return r;
  }

  http::Reply page(const http::Request& req, const core::DocumentId& doc,
                   const core::CommitId& commit, bool redline) {
    requireQueryParams(req, {"lang"});
    service::PreviewRequest p{doc, commit, std::nullopt, core::kKazakhstanOffset, false, {}, ""};
    std::optional<core::Lang> lang;
    if (auto l = req.queryParam("lang")) {
      lang = core::Lang::parse(*l);
      if (!lang) throw Problem(Fault::kInvalidParameter, "lang is no language tag.");
    }
    std::string bytes = judged([&] { return previews_.page(p, lang, redline, core::now()); });
    auto page = service::makePage(std::move(bytes), "text/html; charset=utf-8", frame);
    http::Reply r = send(req, *page, "private, no-store",
                         redline ? "/api/v1/documents/{doc}/revisions/{commit}/redline"
                                 : "/api/v1/documents/{doc}/revisions/{commit}/page");
    r.headers.emplace_back("X-Robots-Tag", "noindex");
    return r;
  }

  service::Publishing& publishing_;
  const service::Previews& previews_;
  service::Catalog& catalog_;
  std::string email_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<ApiModule> makeReviewApi(service::Publishing& publishing,
                                         const service::Previews& previews,
                                         service::Catalog& catalog, std::string publisherEmail) {
  return std::make_unique<ReviewApi>(publishing, previews, catalog, std::move(publisherEmail));
}

}  // namespace charta::api
