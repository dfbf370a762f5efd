"""What a shop's server adds to record consents with charta (Python 3 standard library only).

The flow, in the order the shop calls it:

  notice()          which edition is in force, and the exact page to show: its URL and the
                    SHA-256 of its bytes (fetched and hashed here, so the shop never cites a
                    page it did not show)
  record_consent()  POST /api/v1/consents with the site token and an Idempotency-Key; the
                    receipt comes back, to be kept by the shop
  status()          a customer's consent per purpose: given, withdrawn, never_given or
                    renewal_required (a material edition now in force asks again)
  verify_webhook()  the Charta-Signature of an event (edition.published, edition.effective,
                    edition.withdrawn)

The site token lives here, on the server: never in a page, a script or a URL. A browser only
ever reads charta's public API, which needs no token and answers every origin (CORS).
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class ChartaError(Exception):
    """An answer the shop cannot act on by itself: a problem (RFC 9457) or no answer at all."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem
        self.type = str(problem.get("type", "")).rsplit("/", 1)[-1]
        super().__init__(f"charta answered {status} {self.type}: {problem.get('detail', '')}")


class EditionChanged(ChartaError):
    """422 edition-not-in-force or page-mismatch: another edition took effect after the page was
    shown. Show the edition in force now and ask again; never record against an unseen text."""


class LedgerUnavailable(ChartaError):
    """503 ledger-unavailable (after retries): keep the consent and send it again later with the
    same Idempotency-Key, which records it at most once."""


@dataclass(frozen=True)
class Notice:
    """The policy as one person is shown it."""

    document: str
    edition: str  # "v3"
    title: str
    effective_from: str
    lang: str
    page_url: str  # the page the person reads: this edition, this language
    page_sha256: str  # SHA-256 of exactly those bytes
    purposes: tuple  # ({"id", "clause", "title"}, ...) of this edition


class Charta:
    """A client of one charta server for one document. Safe for concurrent use."""

    def __init__(self, url, site_token, document="personal-data", lang="ru", timeout=5.0):
        self.url = url.rstrip("/")  # where this server reaches charta
        self.token = site_token
        self.document = document
        self.lang = lang
        self.timeout = timeout
        self._verified = {}  # page_sha256 -> page_url whose bytes were hashed here

    # ---- transport

    def _call(self, method, path, body=None, headers=None, token=False):
        req = urllib.request.Request(self.url + path, method=method, data=body)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        if token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except OSError as e:  # refused, reset, timed out
            raise ChartaError(0, {"type": "unreachable", "detail": str(e)}) from e

    def _json(self, method, path, **kw):
        status, headers, data = self._call(method, path, **kw)
        doc = json.loads(data) if data else {}
        if status >= 400:
            raise ChartaError(status, doc)
        return status, headers, doc

    # ---- the flow

    def notice(self):
        """The edition in force and the exact page to show. The page's bytes are fetched and
        hashed once per hash, so the hash cited is that of the page linked; a switch between the
        reads (they differ) just reads again."""
        doc_path = "/api/v1/documents/" + urllib.parse.quote(self.document, safe="")
        for _ in range(3):
            _, _, current = self._json("GET", doc_path + "/current")
            _, _, document = self._json("GET", doc_path)
            if document.get("in_force") != current["edition"]:
                continue  # an edition took effect between the two reads
            texts = {t["lang"]: t for t in current["texts"]}
            text = texts.get(self.lang) or next(t for t in current["texts"] if t["controlling"])
            if text["page_sha256"] not in self._verified:
                status, _, page = self._call("GET", self._local(text["page_url"]))
                if status != 200 or hashlib.sha256(page).hexdigest() != text["page_sha256"]:
                    continue
                self._verified[text["page_sha256"]] = text["page_url"]
            return Notice(self.document, current["edition"], current["title"],
                          current["effective_from"], text["lang"], text["page_url"],
                          text["page_sha256"], tuple(document["purposes"]))
        raise ChartaError(503, {"type": "edition-switching", "detail": "try again"})

    def record_consent(self, subject, notice, purposes, key, form_id, evidence):
        """Records that "subject" gave consent to "purposes" after being shown "notice"; returns
        the receipt (keep it). "key" identifies this act of consent: the same key sent again
        (a retry, a double click) answers the same receipt and records nothing more."""
        body = json.dumps({
            "subject": subject, "document": notice.document, "edition": notice.edition,
            "language": notice.lang, "purposes": sorted(purposes),
            "collection_method": "web-form", "form_id": form_id, "evidence": evidence,
            "page_sha256": notice.page_sha256,
        }).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        for attempt in range(3):
            status, h, data = self._call("POST", "/api/v1/consents", body, headers, token=True)
            answer = json.loads(data) if data else {}
            if status in (200, 201):
                return answer
            error = ChartaError(status, answer)
            if error.type in ("edition-not-in-force", "page-mismatch"):
                raise EditionChanged(status, answer)
            if status != 503:
                raise error  # 400, 401, 403, 409 subject-blocked: fix the cause, do not retry
            time.sleep(min(float(h.get("Retry-After") or 1), 2.0) * (attempt + 1))
        raise LedgerUnavailable(status, answer)

    def status(self, subject):
        """A subject's state per purpose of the edition in force (role site)."""
        path = ("/api/v1/subjects/" + urllib.parse.quote(subject, safe="") +
                "/status?document=" + urllib.parse.quote(self.document, safe=""))
        return self._json("GET", path, token=True)[2]

    @staticmethod
    def verify_webhook(secret, body, signature):
        """Whether "signature" (the Charta-Signature header) signs the raw "body"."""
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature or "")

    # ---- helpers

    def _local(self, public_url):
        """charta's public URL (its site.base_url) as this server reaches it."""
        u = urllib.parse.urlsplit(public_url)
        return u.path + ("?" + u.query if u.query else "")
