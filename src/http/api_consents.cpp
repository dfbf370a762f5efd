#include "http/api_consents.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <tuple>

#include "core/consent.h"
#include "http/access_log.h"
#include "ledger/receipt.h"
#include "render/site.h"

namespace charta::http {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::string_view kPrefix = "/api/v1/";

Object::Ptr object() { return Poco::makeShared<Object>(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string moment(core::Instant t) { return core::formatRfc3339(t, core::almatyOffset(t)); }

ApiError invalid(const std::string& detail) {
  return ApiError(400, "invalid-request", "Bad Request", detail);
}

// ---- reading the request body ------------------------------------------------------------------

std::optional<std::string> optString(const Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return std::nullopt;
  Var v = o.get(name);
  if (!v.isString()) throw invalid("\"" + name + "\" must be a string.");
  return v.convert<std::string>();
}

std::string needString(const Object& o, const std::string& name) {
  auto s = optString(o, name);
  if (!s) throw invalid("\"" + name + "\" is required.");
  return *s;
}

// "edition": "v3", "3" or 3.
std::optional<core::EditionNo> optEdition(const Object& o) {
  if (!o.has("edition") || o.isNull("edition")) return std::nullopt;
  Var v = o.get("edition");
  std::optional<core::EditionNo> no;
  if (v.isString()) {
    no = core::EditionNo::parse(v.convert<std::string>());
  } else if (v.isInteger() && !v.isBoolean()) {  // Poco counts true and false as integers
    try {
      no = core::EditionNo::of(static_cast<long>(v.convert<Poco::Int64>()));
    } catch (const Poco::Exception&) {
    }
  }
  if (!no) throw invalid("\"edition\" must be an edition like \"v3\" or 3.");
  return no;
}

std::vector<core::PurposeId> purposesOf(const Object& o) {
  if (!o.has("purposes")) throw invalid("\"purposes\" is required.");
  Var v = o.get("purposes");
  if (v.type() != typeid(Array::Ptr)) throw invalid("\"purposes\" must be an array of strings.");
  auto arr = v.extract<Array::Ptr>();
  if (arr->size() == 0) throw invalid("\"purposes\" must name at least one purpose.");
  if (arr->size() > 64) throw invalid("\"purposes\" names more than 64 purposes.");
  std::vector<core::PurposeId> out;
  for (const Var& p : *arr) {
    if (!p.isString()) throw invalid("\"purposes\" must be an array of strings.");
    auto id = core::PurposeId::parse(p.convert<std::string>());
    if (!id) throw invalid("\"purposes\" holds something that is not a purpose id.");
    out.push_back(*id);
  }
  return out;
}

std::optional<std::string> evidenceOf(const Object& o) {
  if (!o.has("evidence") || o.isNull("evidence")) return std::nullopt;
  Var v = o.get("evidence");
  if (v.type() != typeid(Object::Ptr)) throw invalid("\"evidence\" must be a JSON object.");
  // Parsed objects keep their members sorted: the same evidence always gives the same text, so
  // an idempotent retry matches however the client ordered the members.
  return ledger::toJsonText(v.extract<Object::Ptr>());
}

std::string subjectOf(std::string subject) {
  if (!core::isValidSubject(subject)) {
    throw invalid("The subject id must be 1-128 bytes of UTF-8 without control characters.");
  }
  return subject;
}

std::optional<std::string> idempotencyKey(const Request& req) {
  auto key = req.header("Idempotency-Key");
  if (!key) return std::nullopt;
  std::string k(*key);
  // Strip the quotes of the structured-field string form ("key") if the client used it.
  if (k.size() >= 2 && k.front() == '"' && k.back() == '"') k = k.substr(1, k.size() - 2);
  if (!core::isValidToken(k)) {
    throw invalid("Idempotency-Key must be 1-128 printable ASCII characters without spaces.");
  }
  return k;
}

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
  auto subject = percentDecode(path.substr(0, slash));
  if (!subject) return std::nullopt;
  return std::vector<std::string>{"subjects", std::move(*subject), std::string(action)};
}

void requireAnyRole(const Caller& caller, std::string_view a, std::string_view b) {
  if (caller.authenticated && (caller.has(a) || caller.has(b))) return;
  if (!caller.authenticated) requireRole(caller, a);  // 401
  throw ApiError(
      403, "forbidden", "Forbidden",
      "The token has neither role \"" + std::string(a) + "\" nor \"" + std::string(b) + "\".");
}

// ---- the module ---------------------------------------------------------------------------------

class ConsentApi : public ApiModule {
 public:
  ConsentApi(ledger::Ledger& ledger, SiteService& pages, repository::PolicyRepository& repo,
             Metrics& metrics, ConsentApiOptions options)
      : ledger_(ledger),
        pages_(pages),
        repo_(repo),
        metrics_(metrics),
        options_(std::move(options)) {}

  std::vector<std::string> routes() const override {
    return {"POST /api/v1/consents",
            "POST /api/v1/withdrawals",
            "GET /api/v1/consents/{id}",
            "GET /api/v1/subjects/{subject}/consents",
            "GET /api/v1/subjects/{subject}/status",
            "GET /api/v1/subjects/{subject}/export",
            "POST /api/v1/subjects/{subject}/block",
            "POST /api/v1/subjects/{subject}/unblock",
            "GET /api/v1/ledger/verify"};
  }

  std::optional<Reply> handle(Request& req, core::Instant now, const Caller& caller) override {
    if (req.path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    auto segs = subjectSegments(req.path);
    if (!segs) segs = pathSegments(req.path, kPrefix);
    if (!segs || segs->empty()) return std::nullopt;
    const auto& s = *segs;
    const std::string& head = s[0];
    if (head != "consents" && head != "withdrawals" && head != "subjects" && head != "ledger") {
      return std::nullopt;
    }
    try {
      if (s.size() == 1 && head == "consents") {
        requireMethod(req, {"POST"});
        requireRole(caller, "site");
        return record(req, now, ledger::EventType::kGiven, "/api/v1/consents");
      }
      if (s.size() == 1 && head == "withdrawals") {
        requireMethod(req, {"POST"});
        requireRole(caller, "site");
        return record(req, now, ledger::EventType::kWithdrawn, "/api/v1/withdrawals");
      }
      if (s.size() == 2 && head == "consents") {
        requireMethod(req, {"GET", "HEAD"});
        requireRole(caller, "auditor");
        return getConsent(s[1]);
      }
      if (s.size() == 3 && head == "subjects") {
        const std::string& what = s[2];
        if (what == "consents") {
          requireMethod(req, {"GET", "HEAD"});
          requireRole(caller, "auditor");
          return listConsents(req, subjectOf(s[1]));
        }
        if (what == "status") {
          requireMethod(req, {"GET", "HEAD"});
          requireAnyRole(caller, "site", "auditor");
          return status(req, subjectOf(s[1]), now);
        }
        if (what == "export") {
          requireMethod(req, {"GET", "HEAD"});
          requireRole(caller, "auditor");
          return exportSubject(subjectOf(s[1]), now);
        }
        if (what == "block" || what == "unblock") {
          requireMethod(req, {"POST"});
          requireRole(caller, "legal");
          return block(
              req, subjectOf(s[1]), now,
              what == "block" ? ledger::EventType::kBlocked : ledger::EventType::kUnblocked);
        }
        return std::nullopt;
      }
      if (s.size() == 2 && head == "ledger" && s[1] == "verify") {
        requireMethod(req, {"GET", "HEAD"});
        requireRole(caller, "auditor");
        return verify();
      }
      return std::nullopt;
    } catch (const ledger::StorageError& e) {
      // The reason goes to the log (ledger messages never hold subject ids), not to the client.
      std::cerr << "{\"level\":\"error\",\"request_id\":" << jsonQuote(req.requestId)
                << ",\"error\":" << jsonQuote(e.what()) << "}\n";
      metrics_.add("charta_ledger_unavailable_total");
      ApiError err(503, "ledger-unavailable", "Service Unavailable",
                   "The consent ledger cannot be reached now; retry with the same "
                   "Idempotency-Key.");
      err.headers.emplace_back("Retry-After", "1");
      throw err;
    }
  }

 private:
  // The edition a request names, resolved against the site's snapshot.
  struct Resolved {
    std::shared_ptr<const SiteSnapshot> snap;
    const DocumentState* doc = nullptr;
    const core::Edition* edition = nullptr;
    const core::Document* registry = nullptr;  // charta.xml entry at that edition
  };

  std::string editionUrl(const SiteSnapshot& snap, const DocumentState& d, core::EditionNo no) {
    return snap.baseUrl + render::editionPath(d.document.route, no);
  }

  Object::Ptr inForceJson(const SiteSnapshot& snap, const DocumentState& d, core::Instant now) {
    const core::Edition* e = d.timeline.inForceAt(now);
    if (!e) return nullptr;
    auto o = object();
    o->set("document", d.document.id.str());
    o->set("edition", e->no.str());
    o->set("commit", e->commit.str());
    o->set("effective_from", core::formatRfc3339(e->effectiveFrom, e->effectiveOffset, false));
    o->set("url", editionUrl(snap, d, e->no));
    return o;
  }

  [[noreturn]] void refuseEdition(const Resolved& r, core::Instant now, const std::string& state,
                                  const std::string& detail) {
    metrics_.add("charta_consents_refused_total{reason=\"edition\"}");
    ApiError e(422, "edition-not-in-force", "Edition Not In Force", detail);
    e.extra = object();
    e.extra->set("edition_status", state);
    auto inForce = inForceJson(*r.snap, *r.doc, now);
    e.extra->set("in_force", inForce ? Var(inForce) : Var());
    throw e;
  }

  // Finds the document and the edition named by "edition" and/or "commit"; when neither is given
  // and "defaultInForce", the edition in force. Refuses editions that are not or were not in force.
  Resolved resolve(const core::DocumentId& docId, std::optional<core::EditionNo> no,
                   std::optional<core::CommitId> commit, bool defaultInForce, core::Instant now) {
    Resolved r;
    r.snap = pages_.snapshot();
    r.doc = r.snap->find(docId);
    if (!r.doc) {
      metrics_.add("charta_consents_refused_total{reason=\"document\"}");
      ApiError e(422, "unknown-document", "Unknown Document",
                 "There is no published document \"" + docId.str() + "\".");
      e.extra = object();
      Array::Ptr docs = new Array;
      for (const auto& d : r.snap->documents) docs->add(d->document.id.str());
      e.extra->set("documents", docs);
      throw e;
    }
    const core::Timeline& tl = r.doc->timeline;
    auto usable = [&](const core::Edition& e) {
      auto st = tl.statusAt(e, now);
      return st == core::EditionStatus::kInForce || st == core::EditionStatus::kSuperseded;
    };
    if (no) {
      r.edition = tl.edition(*no);
      if (!r.edition) {
        refuseEdition(r, now, "unknown",
                      docId.str() + " has no edition " + no->str() +
                          "; a consent must name an "
                          "edition that is or was in force.");
      }
      if (commit && r.edition->commit != *commit) {
        refuseEdition(r, now, "mismatch",
                      "\"commit\" is not the commit of " + docId.str() + " " + no->str() + ".");
      }
    } else if (commit) {
      // The newest usable edition of that commit; otherwise the reason none is.
      const core::Edition* any = nullptr;
      for (const core::Edition& e : tl.editions()) {
        if (e.commit != *commit) continue;
        any = &e;
        if (usable(e)) r.edition = &e;
      }
      if (!r.edition && !any) {
        bool draft = false;
        try {
          draft = repo_.onBranch(*commit);
        } catch (const std::exception&) {
        }
        refuseEdition(
            r, now, draft ? "draft" : "unknown",
            draft ? "Commit " + commit->str() + " is a draft of " + docId.str() +
                        ", not a published edition."
                  : "Commit " + commit->str() + " is not an edition of " + docId.str() + ".");
      }
      if (!r.edition) r.edition = any;
    } else if (defaultInForce) {
      r.edition = tl.inForceAt(now);
      if (!r.edition) {
        refuseEdition(r, now, "none", "No edition of " + docId.str() + " is in force yet.");
      }
    } else {
      throw invalid("Name the edition shown: \"edition\" (like \"v3\") or \"commit\" (40 hex).");
    }
    switch (tl.statusAt(*r.edition, now)) {
      case core::EditionStatus::kInForce:
      case core::EditionStatus::kSuperseded:
        break;
      case core::EditionStatus::kUpcoming:
        refuseEdition(
            r, now, "upcoming",
            docId.str() + " " + r.edition->no.str() + " is not in force yet (effective " +
                core::formatRfc3339(r.edition->effectiveFrom, r.edition->effectiveOffset, false) +
                ").");
        break;  // not reached
      case core::EditionStatus::kWithdrawn:
        refuseEdition(
            r, now, "withdrawn",
            docId.str() + " " + r.edition->no.str() + " was withdrawn before it took effect.");
    }
    auto at = r.doc->atEdition.find(r.edition->no.value());
    r.registry = at != r.doc->atEdition.end() ? &at->second : &r.doc->document;
    return r;
  }

  // The SHA-256 of the text of an edition in "lang", from the repository (editions are
  // immutable, so it is kept). nullopt: no text in that language.
  std::optional<std::string> textSha(const core::Document& doc, const core::Edition& e,
                                     const core::Lang& lang) {
    auto key = std::make_tuple(e.doc.str(), e.commit.str(), lang.str());
    {
      std::lock_guard lock(mu_);
      if (auto it = textShas_.find(key); it != textShas_.end()) return it->second;
    }
    auto text = repo_.text(doc, e.commit, lang);
    if (!text) return std::nullopt;
    std::lock_guard lock(mu_);
    textShas_[key] = text->sha256;
    return text->sha256;
  }

  ledger::ReceiptOptions receiptOptions() {
    ledger::ReceiptOptions o;
    o.jurisdiction = options_.jurisdiction;
    auto snap = pages_.snapshot();
    o.noticeUrl = [snap](const ledger::Event& e) -> std::string {
      const DocumentState* d = snap->find(e.doc);
      if (!d) return "";
      return snap->baseUrl + render::editionPath(d->document.route, e.edition);
    };
    return o;
  }

  Reply appended(const ledger::AppendResult& r, const char* route) {
    if (!r.replayed) {
      metrics_.add("charta_consents_written_total{event=\"" +
                   std::string(core::eventTypeName(r.event.type)) + "\"}");
    }
    Reply reply = jsonReply(r.replayed ? 200 : 201, ledger::receipt(r.event, receiptOptions()));
    if (!r.replayed) {
      reply.headers.emplace_back("Location", "/api/v1/consents/" + r.event.id);
    } else {
      reply.headers.emplace_back("Idempotent-Replayed", "true");
    }
    reply.route = route;
    return reply;
  }

  ledger::AppendResult append(const ledger::NewEvent& e) {
    try {
      return ledger_.append(e);
    } catch (const ledger::Blocked&) {
      metrics_.add("charta_consents_refused_total{reason=\"blocked\"}");
      throw ApiError(409, "subject-blocked", "Subject Blocked",
                     "The subject's personal data is blocked on request (clause 6.2.4): no "
                     "consent can be recorded until it is unblocked.");
    } catch (const Conflict&) {
      metrics_.add("charta_consents_refused_total{reason=\"idempotency\"}");
      throw ApiError(409, "idempotency-key-reused", "Idempotency Key Reused",
                     "This Idempotency-Key was already used for a different request.");
    }
  }

  Reply record(Request& req, core::Instant now, ledger::EventType type, const char* route) {
    auto key = idempotencyKey(req);
    ConsentBody b = parseConsentBody(req);
    const core::DocumentId& docId = b.document;
    const core::Lang& lang = b.language;

    Resolved r = resolve(docId, b.edition, b.commit, type == ledger::EventType::kWithdrawn, now);
    const core::Edition& e = *r.edition;
    const core::Document& doc = *r.registry;
    if (!doc.file(lang)) {
      metrics_.add("charta_consents_refused_total{reason=\"language\"}");
      ApiError err(422, "unknown-language", "Unknown Language",
                   docId.str() + " " + e.no.str() + " has no text in \"" + lang.str() + "\".");
      err.extra = object();
      Array::Ptr langs = new Array;
      for (const auto& l : doc.langs) langs->add(l.str());
      err.extra->set("languages", langs);
      throw err;
    }
    for (const auto& p : b.purposes) {
      if (doc.purpose(p)) continue;
      metrics_.add("charta_consents_refused_total{reason=\"purpose\"}");
      ApiError err(
          422, "unknown-purpose", "Unknown Purpose",
          "\"" + p.str() + "\" is not a purpose of " + docId.str() + " " + e.no.str() + ".");
      err.extra = object();
      err.extra->set("edition", e.no.str());
      Array::Ptr catalogue = new Array;
      for (const auto& c : doc.purposes) catalogue->add(c.id.str());
      err.extra->set("catalogue", catalogue);
      throw err;
    }
    auto textHash = textSha(doc, e, lang);
    if (!textHash) {
      throw ApiError(422, "unknown-language", "Unknown Language",
                     docId.str() + " " + e.no.str() + " has no text in \"" + lang.str() + "\".");
    }
    if (b.pageSha256) {
      auto page = pages_.editionPage(docId, e.no, lang, now);
      if (!page || page->sha256 != *b.pageSha256) {
        metrics_.add("charta_consents_refused_total{reason=\"page\"}");
        ApiError err(422, "page-mismatch", "Page Mismatch",
                     "\"page_sha256\" is not the SHA-256 of the page of " + docId.str() + " " +
                         e.no.str() + " as served now; show the page again.");
        err.extra = object();
        err.extra->set("page_url", editionUrl(*r.snap, *r.doc, e.no));
        err.extra->set("page_sha256", page ? Var(page->sha256) : Var());
        throw err;
      }
    }

    ledger::NewEvent ev{std::move(b.subject),
                        docId,
                        e.no,
                        e.commit,
                        *textHash,
                        b.pageSha256,
                        lang,
                        std::move(b.purposes),
                        type,
                        std::move(b.collectionMethod),
                        std::move(b.formId),
                        std::move(b.evidence),
                        std::move(key)};
    return appended(append(ev), route);
  }

  Reply block(Request& req, std::string subject, core::Instant now, ledger::EventType type) {
    auto key = idempotencyKey(req);
    BlockBody b = parseBlockBody(req);
    auto snap = pages_.snapshot();
    std::optional<core::DocumentId> docId = b.document;
    if (!docId) {
      // Blocking concerns the subject as a whole; it is recorded under the first document.
      for (const auto& state : snap->documents) {
        if (state->timeline.inForceAt(now)) {
          docId = state->document.id;
          break;
        }
      }
      if (!docId) {
        throw ApiError(422, "edition-not-in-force", "Edition Not In Force",
                       "No document has an edition in force yet.");
      }
    }
    Resolved r = resolve(*docId, std::nullopt, std::nullopt, true, now);
    const core::Document& doc = *r.registry;
    auto textHash = textSha(doc, *r.edition, doc.controllingLang);
    if (!textHash) throw Error("the edition in force has no text in its controlling language");
    ledger::NewEvent ev{std::move(subject),
                        *docId,
                        r.edition->no,
                        r.edition->commit,
                        *textHash,
                        std::nullopt,
                        doc.controllingLang,
                        {},
                        type,
                        std::move(b.collectionMethod),
                        std::move(b.formId),
                        std::move(b.evidence),
                        std::move(key)};
    return appended(append(ev), type == ledger::EventType::kBlocked
                                    ? "/api/v1/subjects/{subject}/block"
                                    : "/api/v1/subjects/{subject}/unblock");
  }

  Reply getConsent(const std::string& id) {
    auto e = ledger_.find(id);
    if (!e)
      throw ApiError(404, "not-found", "Not Found", "There is no consent event with this id.");
    Reply r = jsonReply(200, ledger::receipt(*e, receiptOptions()));
    r.route = "/api/v1/consents/{id}";
    return r;
  }

  std::optional<core::DocumentId> documentParam(const Request& req, bool required) {
    auto d = req.queryParam("document");
    if (!d) {
      if (required) throw invalid("Name the document: ?document=personal-data.");
      return std::nullopt;
    }
    auto id = core::DocumentId::parse(*d);
    if (!id) throw invalid("\"document\" is not a document id (like personal-data).");
    return id;
  }

  Reply listConsents(const Request& req, const std::string& subject) {
    auto doc = documentParam(req, false);
    auto events = ledger_.bySubject(subject, doc);
    auto opts = receiptOptions();
    auto o = object();
    o->set("pii_principal_id", subject);
    Array::Ptr list = new Array;
    for (const auto& e : events) list->add(ledger::receipt(e, opts));
    o->set("events", list);
    Reply r = jsonReply(200, o);
    r.route = "/api/v1/subjects/{subject}/consents";
    return r;
  }

  Reply status(const Request& req, const std::string& subject, core::Instant now) {
    auto docId = *documentParam(req, true);
    auto snap = pages_.snapshot();
    const DocumentState* d = snap->find(docId);
    if (!d) {
      throw ApiError(404, "unknown-document", "Unknown Document",
                     "There is no published document \"" + docId.str() + "\".");
    }
    auto events = ledger_.bySubject(subject, docId);
    std::vector<core::ConsentFact> facts;
    facts.reserve(events.size());
    for (const auto& e : events) {
      facts.push_back(core::ConsentFact{e.seq, e.type, e.doc, e.edition, e.purposes, e.recordedAt});
    }
    const core::Edition* inForce = d->timeline.inForceAt(now);
    std::vector<core::Purpose> catalogue;
    if (inForce) {
      auto at = d->atEdition.find(inForce->no.value());
      catalogue = (at != d->atEdition.end() ? at->second : d->document).purposes;
    }
    core::ConsentStatus st = core::consentStatus(facts, docId, d->timeline, catalogue, now);

    auto o = object();
    o->set("document", docId.str());
    o->set("at", moment(now));
    auto inForceObj = inForceJson(*snap, *d, now);
    o->set("in_force", inForceObj ? Var(inForceObj) : Var());
    o->set("blocked", st.blocked);
    if (st.blockedAt) o->set("blocked_at", moment(*st.blockedAt));
    Array::Ptr purposes = new Array;
    for (const auto& p : st.purposes) {
      auto po = object();
      po->set("purpose", p.purpose.str());
      for (const auto& c : catalogue) {
        if (c.id == p.purpose) po->set("clause", c.clause);
      }
      po->set("state", std::string(core::purposeStateName(p.state)));
      if (p.givenUnder) po->set("given_under", p.givenUnder->str());
      if (p.givenAt) po->set("given_at", moment(*p.givenAt));
      if (p.withdrawnAt) po->set("withdrawn_at", moment(*p.withdrawnAt));
      if (p.renewalFor) po->set("renewal_for", p.renewalFor->str());
      purposes->add(po);
    }
    o->set("purposes", purposes);
    Reply r = jsonReply(200, o);
    r.route = "/api/v1/subjects/{subject}/status";
    return r;
  }

  Reply exportSubject(const std::string& subject, core::Instant now) {
    auto events = ledger_.bySubject(subject);
    Reply r = jsonReply(200, ledger::subjectExport(subject, events, now, receiptOptions()));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"consents.json\"");
    r.route = "/api/v1/subjects/{subject}/export";
    return r;
  }

  Reply verify() {
    ledger::VerifyReport rep = ledger_.verify();
    auto o = object();
    o->set("ok", rep.ok);
    o->set("backend", std::string(ledger_.backend()));
    o->set("checked", static_cast<Poco::Int64>(rep.checked));
    o->set("head_seq", static_cast<Poco::Int64>(rep.headSeq));
    o->set("head_hash", rep.headHash);
    Array::Ptr findings = new Array;
    for (const auto& f : rep.findings) {
      auto fo = object();
      fo->set("kind", std::string(ledger::findingKindName(f.kind)));
      fo->set("seq", static_cast<Poco::Int64>(f.seq));
      fo->set("id", f.id.empty() ? Var() : Var(f.id));
      fo->set("detail", f.detail);
      findings->add(fo);
    }
    o->set("findings", findings);
    if (!rep.ok) metrics_.add("charta_ledger_verify_failures_total");
    Reply r = jsonReply(200, o);
    r.route = "/api/v1/ledger/verify";
    return r;
  }

  ledger::Ledger& ledger_;
  SiteService& pages_;
  repository::PolicyRepository& repo_;
  Metrics& metrics_;
  ConsentApiOptions options_;
  std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> textShas_;
};

}  // namespace

ConsentBody parseConsentBody(const Request& req) {
  static const std::set<std::string> kMembers = {
      "subject",  "document",          "edition", "commit",   "language",
      "purposes", "collection_method", "form_id", "evidence", "page_sha256"};
  auto body = parseJsonBody(req, kMembers);
  const Object& o = *body;

  std::string subject = subjectOf(needString(o, "subject"));
  auto docId = core::DocumentId::parse(needString(o, "document"));
  if (!docId) throw invalid("\"document\" is not a document id (like personal-data).");
  auto no = optEdition(o);
  std::optional<core::CommitId> commit;
  if (auto c = optString(o, "commit")) {
    commit = core::CommitId::parse(*c);
    if (!commit) throw invalid("\"commit\" must be a full commit id (40 hex digits).");
  }
  auto lang = core::Lang::parse(needString(o, "language"));
  if (!lang) throw invalid("\"language\" is not a language tag (like ru).");
  auto purposes = purposesOf(o);
  std::string method = needString(o, "collection_method");
  if (!core::isValidCollectionMethod(method)) {
    throw invalid(
        "\"collection_method\" must be 1-32 lower-case letters, digits and inner hyphens.");
  }
  auto formId = optString(o, "form_id");
  if (formId && !core::isValidToken(*formId)) {
    throw invalid("\"form_id\" must be 1-128 printable ASCII characters without spaces.");
  }
  auto evidence = evidenceOf(o);
  auto pageSha = optString(o, "page_sha256");
  if (pageSha) {
    std::transform(pageSha->begin(), pageSha->end(), pageSha->begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!core::isSha256Hex(*pageSha)) throw invalid("\"page_sha256\" must be 64 hex digits.");
  }
  return ConsentBody{std::move(subject),
                     *docId,
                     no,
                     commit,
                     *lang,
                     std::move(purposes),
                     std::move(method),
                     std::move(formId),
                     std::move(evidence),
                     std::move(pageSha)};
}

BlockBody parseBlockBody(const Request& req) {
  static const std::set<std::string> kMembers = {"document", "collection_method", "form_id",
                                                 "evidence"};
  Object::Ptr body = req.body.empty() ? Object::Ptr(new Object) : parseJsonBody(req, kMembers);
  const Object& o = *body;
  BlockBody b;
  if (auto d = optString(o, "document")) {
    b.document = core::DocumentId::parse(*d);
    if (!b.document) throw invalid("\"document\" is not a document id (like personal-data).");
  }
  b.collectionMethod = optString(o, "collection_method").value_or("api");
  if (!core::isValidCollectionMethod(b.collectionMethod)) {
    throw invalid(
        "\"collection_method\" must be 1-32 lower-case letters, digits and inner hyphens.");
  }
  b.formId = optString(o, "form_id");
  if (b.formId && !core::isValidToken(*b.formId)) {
    throw invalid("\"form_id\" must be 1-128 printable ASCII characters without spaces.");
  }
  b.evidence = evidenceOf(o);
  return b;
}

std::unique_ptr<ApiModule> makeConsentApi(ledger::Ledger& ledger, SiteService& pages,
                                          repository::PolicyRepository& repo, Metrics& metrics,
                                          ConsentApiOptions options) {
  return std::make_unique<ConsentApi>(ledger, pages, repo, metrics, std::move(options));
}

}  // namespace charta::http
