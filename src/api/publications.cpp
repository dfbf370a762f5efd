// POST …/publications and …/editions/{edition}/withdrawal: see modules.h.
#include <mutex>

#include "api/bodies.h"
#include "api/modules.h"
#include "api/request.h"
#include "service/errors.h"
#include "service/views.h"

namespace charta::api {

using core::Instant;
using service::Fault;

namespace {

class PublicationsApi : public ApiModule {
 public:
  PublicationsApi(service::Publications& publications, service::Catalog& catalog,
                  CurrentAnswers& current, http::Metrics& metrics, std::string publisherEmail)
      : publications_(publications),
        catalog_(catalog),
        current_(current),
        metrics_(metrics),
        // git refuses a tagger without e-mail.
        email_(publisherEmail.empty() ? "api@charta.invalid" : std::move(publisherEmail)) {}

  std::vector<std::string> routes() const override {
    return {"POST /api/v1/documents/{doc}/publications",
            "POST /api/v1/documents/{doc}/editions/{edition}/withdrawal"};
  }

  std::optional<http::Reply> handle(http::Request& req, Instant, const Caller& caller) override {
    if (req.path.substr(0, 18) != "/api/v1/documents/") return std::nullopt;
    auto segs = pathSegments(req.path, "/api/v1/");
    if (!segs) return std::nullopt;
    const auto& s = *segs;
    if (s.size() == 3 && s[2] == "publications") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      return counted([&] { return publish(req, documentParam(s[1]), caller); });
    }
    if (s.size() == 5 && s[2] == "editions" && s[4] == "withdrawal") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      return counted(
          [&] { return withdraw(req, documentParam(s[1]), editionParam(s[3]), caller); });
    }
    return std::nullopt;
  }

 private:
  // Counts the conflicts of both kinds (charta_publication_conflicts_total).
  template <typename F>
  http::Reply counted(F&& write) {
    try {
      return write();
    } catch (const service::Failure& f) {
      if (f.fault() == Fault::kPreconditionFailed) {
        metrics_.add("charta_publication_conflicts_total{reason=\"precondition\"}");
      } else if (f.fault() == Fault::kPublicationConflict) {
        metrics_.add("charta_publication_conflicts_total{reason=\"race\"}");
      } else if (f.fault() == Fault::kAlreadyWithdrawn) {
        metrics_.add("charta_publication_conflicts_total{reason=\"withdrawn\"}");
      }
      throw;
    }
  }

  // The ETag of `current` as of "now", from a fresh look at the repository; with "next", also the
  // number the next edition gets in that same look.
  std::string currentEtag(const core::DocumentId& id, Instant now,
                          std::optional<core::EditionNo>* next = nullptr) {
    catalog_.refresh();
    auto snap = catalog_.snapshot();
    auto a = current_.at(*snap, id, now);
    if (!a) throw Problem(Fault::kDocumentNotFound, "No document \"" + id.str() + "\".");
    if (next) {
      const service::DocumentState* d = snap->find(id);
      const core::Edition* latest = d ? d->timeline.latest() : nullptr;
      *next = core::EditionNo::of(latest ? latest->no.value() + 1 : 1);
    }
    return a->page->etag;
  }

  // Throws kPreconditionFailed, naming the current ETag, unless "ifMatch" names "etag".
  static void checkPrecondition(std::string_view ifMatch, const std::string& etag) {
    if (http::etagListContains(ifMatch, etag, false)) return;
    Problem p(Fault::kPreconditionFailed,
              "The document changed since that ETag was read: read current again.");
    p.headers.emplace_back("ETag", etag);
    throw p;
  }

  http::Reply publish(const http::Request& req, const core::DocumentId& id, const Caller& caller) {
    requireQueryParams(req, {});
    PublicationBody b = parsePublicationBody(req);
    service::PublishCommand cmd{
        service::PublishRequest{id, std::nullopt, std::nullopt, core::kKazakhstanOffset, b.material,
                                std::move(b.renewPurposes), std::move(b.summary),
                                std::move(b.force), core::Person{caller.name, email_}},
        b.revision};
    if (b.effectiveFrom) {
      cmd.request.effectiveFrom = b.effectiveFrom->instant;
      cmd.request.effectiveOffset = b.effectiveFrom->offset;
    }
    auto ifMatch = req.header("If-Match");
    if (!ifMatch || *ifMatch == "*") {
      throw Problem(Fault::kPreconditionRequired,
                    "Send If-Match with the ETag of GET "
                    "/api/v1/documents/" +
                        id.str() + "/current.");
    }
    std::lock_guard lock(mu_);
    Instant now = core::now();  // the moment of the write, not of the arrival
    // The number the edition gets in the look that matched If-Match: a publication by another
    // process (the CLI, another instance) between that look and the write is a failed
    // precondition too, not a silent next number.
    checkPrecondition(*ifMatch, currentEtag(id, now, &cmd.request.expectedNo));
    service::Published p = [&] {
      try {
        return publications_.publish(std::move(cmd), now);
      } catch (const service::Failure& f) {
        if (f.fault() != Fault::kPreconditionFailed) throw;
        Problem stale(f.fault(), f.what());
        stale.headers.emplace_back("ETag", currentEtag(id, core::now()));
        throw stale;
      }
    }();
    metrics_.add("charta_publications_total");
    auto o = service::publicationJson(p.edition, p.timeline, p.notes, now);
    o->set("current_etag", currentEtag(id, now));
    http::Reply r = jsonReply(201, o, "/api/v1/documents/{doc}/publications");
    r.headers.emplace_back("Location",
                           "/api/v1/documents/" + id.str() + "/editions/" + p.edition.no.str());
    return r;
  }

  http::Reply withdraw(const http::Request& req, const core::DocumentId& id, core::EditionNo no,
                       const Caller& caller) {
    requireQueryParams(req, {});
    std::string reason = parseWithdrawalBody(req);
    auto ifMatch = req.header("If-Match");
    std::lock_guard lock(mu_);
    Instant now = core::now();
    if (ifMatch) checkPrecondition(*ifMatch, currentEtag(id, now));
    service::Published p =
        publications_.withdraw(id, no, reason, core::Person{caller.name, email_});
    metrics_.add("charta_withdrawals_total");
    auto o = service::editionJson(p.edition, p.timeline, now);
    o->set("current_etag", currentEtag(id, now));
    return jsonReply(200, o, "/api/v1/documents/{doc}/editions/{edition}/withdrawal");
  }

  service::Publications& publications_;
  service::Catalog& catalog_;
  CurrentAnswers& current_;
  http::Metrics& metrics_;
  std::string email_;
  std::mutex mu_;  // one write at a time: the If-Match check and the write are one step
};

}  // namespace

std::unique_ptr<ApiModule> makePublicationsApi(service::Publications& publications,
                                               service::Catalog& catalog, CurrentAnswers& current,
                                               http::Metrics& metrics, std::string publisherEmail) {
  return std::make_unique<PublicationsApi>(publications, catalog, current, metrics,
                                           std::move(publisherEmail));
}

}  // namespace charta::api
