// The consents, the subjects and the ledger: see modules.h.
#include <map>

#include "api/bodies.h"
#include "api/modules.h"
#include "api/request.h"
#include "api/verifications.h"
#include "service/views.h"

namespace charta::api {

using core::Instant;
using service::Fault;

namespace {

constexpr std::string_view kPrefix = "/api/v1/";

// "/api/v1/subjects/{subject}/{action}" as its three decoded segments. The subject is decoded on
// its own, so an id holding "/" (sent as %2F), "." or ".." can still be named; nullopt for other
// paths.
std::optional<std::vector<std::string>> subjectSegments(std::string_view path) {
  constexpr std::string_view kSubjects = "/api/v1/subjects/";
  if (path.substr(0, kSubjects.size()) != kSubjects) return std::nullopt;
  path.remove_prefix(kSubjects.size());
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string_view action = path.substr(slash + 1);
  if (action.empty() || action.find('/') != std::string_view::npos) return std::nullopt;
  auto subject = http::percentDecode(path.substr(0, slash));
  if (!subject) return std::nullopt;
  return std::vector<std::string>{"subjects", std::move(*subject), std::string(action)};
}

// The label of charta_consents_refused_total for a refusal of a consent; nullptr: not one.
const char* refusalReason(Fault fault) {
  static const std::map<Fault, const char*> kReasons = {
      {Fault::kUnknownDocument, "document"},
      {Fault::kEditionNotInForce, "edition"},
      {Fault::kUnknownLanguage, "language"},
      {Fault::kUnknownPurpose, "purpose"},
      {Fault::kPageMismatch, "page"},
      {Fault::kSubjectBlocked, "blocked"},
      {Fault::kIdempotencyKeyReused, "idempotency"}};
  auto it = kReasons.find(fault);
  return it == kReasons.end() ? nullptr : it->second;
}

class ConsentsApi : public ApiModule {
 public:
  ConsentsApi(service::Consents& consents, const service::Evidence& evidence,
              const service::EvidenceBundles& bundles, const service::Audit& audit,
              http::Metrics& metrics)
      : consents_(consents),
        evidence_(evidence),
        bundles_(bundles),
        metrics_(metrics),
        verify_(audit, std::string(evidence.backend()), metrics) {}

  std::vector<std::string> routes() const override {
    return {"POST /api/v1/consents",
            "POST /api/v1/withdrawals",
            "GET /api/v1/consents/{id}",
            "GET /api/v1/consents/{id}/evidence",
            "GET /api/v1/subjects/{subject}/consents",
            "GET /api/v1/subjects/{subject}/status",
            "GET /api/v1/subjects/{subject}/export",
            "POST /api/v1/subjects/{subject}/block",
            "POST /api/v1/subjects/{subject}/unblock",
            "POST /api/v1/subjects/{subject}/erasure",
            "GET /api/v1/ledger/verify",
            "POST /api/v1/ledger/verifications",
            "GET /api/v1/ledger/verifications/{id}"};
  }

  std::optional<http::Reply> handle(http::Request& req, Instant now,
                                    const Caller& caller) override {
    if (req.path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    auto segs = subjectSegments(req.path);
    if (!segs) segs = pathSegments(req.path, kPrefix);
    if (!segs || segs->empty()) return std::nullopt;
    const std::string& head = (*segs)[0];
    if (head != "consents" && head != "withdrawals" && head != "subjects" && head != "ledger") {
      return std::nullopt;
    }
    try {
      return route(req, *segs, now, caller);
    } catch (const std::exception& e) {
      count(service::failureOf(e));
      throw;
    }
  }

 private:
  std::optional<http::Reply> route(http::Request& req, const std::vector<std::string>& s,
                                   Instant now, const Caller& caller) {
    const std::string& head = s[0];
    if (s.size() == 1 && (head == "consents" || head == "withdrawals")) {
      requireMethod(req, {"POST"});
      requireRole(caller, "site");
      return record(req, now, head == "consents");
    }
    if (s.size() == 2 && head == "consents") {
      requireMethod(req, {"GET", "HEAD"});
      requireRole(caller, "auditor");
      return consent(s[1]);
    }
    if (s.size() == 3 && head == "consents" && s[2] == "evidence") {
      requireMethod(req, {"GET", "HEAD"});
      requireRole(caller, "auditor");
      return evidenceBundle(s[1], now);
    }
    if (head == "ledger") return verify_.handle(req, s, now, caller);
    if (s.size() != 3 || head != "subjects") return std::nullopt;
    const std::string& what = s[2];
    if (what == "block" || what == "unblock") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      return block(req, subjectParam(s[1]), now, what == "block");
    }
    if (what == "erasure") {
      requireMethod(req, {"POST"});
      requireRole(caller, "legal");
      return erase(req, subjectParam(s[1]), caller);
    }
    if (what != "consents" && what != "status" && what != "export") return std::nullopt;
    requireMethod(req, {"GET", "HEAD"});
    if (what == "status") {
      requireAnyRole(caller, "site", "auditor");
      return status(req, subjectParam(s[1]), now);
    }
    requireRole(caller, "auditor");
    if (what == "consents") return subjectEvents(req, subjectParam(s[1]));
    return exportSubject(subjectParam(s[1]), now);
  }

  void count(const service::Failure& f) {
    if (const char* reason = refusalReason(f.fault())) {
      metrics_.add(std::string("charta_consents_refused_total{reason=\"") + reason + "\"}");
    } else if (f.fault() == Fault::kLedgerUnavailable) {
      metrics_.add("charta_ledger_unavailable_total");
    }
  }

  http::Reply appended(const ledger::AppendResult& r, const char* route) {
    if (!r.replayed) {
      metrics_.add("charta_consents_written_total{event=\"" +
                   std::string(core::eventTypeName(r.event.type)) + "\"}");
    }
    http::Reply reply = jsonReply(r.replayed ? 200 : 201,
                                  service::receipt(r.event, evidence_.receiptOptions()), route);
    if (!r.replayed) {
      reply.headers.emplace_back("Location", "/api/v1/consents/" + r.event.id);
    } else {
      reply.headers.emplace_back("Idempotent-Replayed", "true");
    }
    return reply;
  }

  http::Reply record(const http::Request& req, Instant now, bool given) {
    auto key = idempotencyKey(req);
    service::ConsentRequest c = parseConsentBody(req);
    c.type = given ? ledger::EventType::kGiven : ledger::EventType::kWithdrawn;
    c.idempotencyKey = std::move(key);
    return appended(consents_.record(std::move(c), now),
                    given ? "/api/v1/consents" : "/api/v1/withdrawals");
  }

  http::Reply block(const http::Request& req, std::string subject, Instant now, bool block) {
    auto key = idempotencyKey(req);
    service::BlockRequest b = parseBlockBody(req);
    b.type = block ? ledger::EventType::kBlocked : ledger::EventType::kUnblocked;
    b.subject = std::move(subject);
    b.idempotencyKey = std::move(key);
    return appended(consents_.block(std::move(b), now), block
                                                            ? "/api/v1/subjects/{subject}/block"
                                                            : "/api/v1/subjects/{subject}/unblock");
  }

  http::Reply consent(const std::string& id) {
    auto e = evidence_.event(id);
    if (!e) throw Problem(Fault::kNotFound, "There is no consent event with this id.");
    return jsonReply(200, service::receipt(*e, evidence_.receiptOptions()),
                     "/api/v1/consents/{id}");
  }

  // The evidence bundle of one consent event, as a tar archive (service/evidence_bundle.h).
  http::Reply evidenceBundle(const std::string& id, Instant now) {
    auto files = bundles_.bundle(id, now);
    http::Reply r;
    r.status = 200;
    r.route = "/api/v1/consents/{id}/evidence";
    r.contentType = "application/x-tar";
    r.body = service::bundleArchive(files, now);
    // The id was found in the ledger: a UUID, safe in a header.
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"evidence-" + id + ".tar\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  http::Reply subjectEvents(const http::Request& req, const std::string& subject) {
    auto events = evidence_.events(subject, documentQuery(req, false));
    return jsonReply(200, service::subjectEventsJson(subject, events, evidence_.receiptOptions()),
                     "/api/v1/subjects/{subject}/consents");
  }

  http::Reply status(const http::Request& req, const std::string& subject, Instant now) {
    auto st = evidence_.status(subject, *documentQuery(req, true), now);
    return jsonReply(200, service::subjectStatusJson(st), "/api/v1/subjects/{subject}/status");
  }

  http::Reply exportSubject(const std::string& subject, Instant now) {
    auto events = evidence_.events(subject, std::nullopt);
    http::Reply r =
        jsonReply(200, service::subjectExport(subject, events, now, evidence_.receiptOptions()),
                  "/api/v1/subjects/{subject}/export");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"consents.json\"");
    return r;
  }

  http::Reply erase(const http::Request& req, const std::string& subject, const Caller& caller) {
    requireQueryParams(req, {});
    std::string reason = parseErasureBody(req);
    service::Erasure erased = consents_.erase(subject, reason, caller.name);
    if (erased.event) metrics_.add("charta_subjects_erased_total");
    return jsonReply(erased.event ? 201 : 200, service::erasureJson(erased),
                     "/api/v1/subjects/{subject}/erasure");
  }

  service::Consents& consents_;
  const service::Evidence& evidence_;
  const service::EvidenceBundles& bundles_;
  http::Metrics& metrics_;
  VerifyRoutes verify_;  // last: its running verifications stop first
};

}  // namespace

std::unique_ptr<ApiModule> makeConsentsApi(service::Consents& consents,
                                           const service::Evidence& evidence,
                                           const service::EvidenceBundles& bundles,
                                           const service::Audit& audit, http::Metrics& metrics) {
  return std::make_unique<ConsentsApi>(consents, evidence, bundles, audit, metrics);
}

}  // namespace charta::api
