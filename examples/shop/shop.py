#!/usr/bin/env python3
"""A minimal shop that collects consent at checkout and records it with charta.

  GET  /checkout?customer=ID   the checkout: the policy edition in force (link + page hash) and
                               one unticked box per purpose of that edition
  POST /checkout               records the ticked purposes (site token, Idempotency-Key) and
                               keeps the receipt
  GET  /account?customer=ID    the customer's consents; asks again for purposes whose renewal a
                               material edition requires
  POST /charta-events          charta's webhooks (signed): edition.effective -> find customers
                               who must be asked again

Configuration (environment):
  CHARTA_URL             where this server reaches charta (http://127.0.0.1:8080)
  CHARTA_SITE_TOKEN      a token with role "site" (charta token new --name shop --roles site)
  CHARTA_WEBHOOK_SECRET  webhooks.<name>.secret of charta's subscription to this shop
  CHARTA_PUBLIC_URL      charta as browsers reach it, for the page's live check (default
                         CHARTA_URL)
  SHOP_PORT, SHOP_DB     where to listen (127.0.0.1) and keep receipts (shop.db)
  SHOP_POLL_MS           how often an open checkout asks charta for the edition in force

Customer ids are the shop's own pseudonymous ids (never e-mails): they become charta subjects.
"""

import hashlib
import html
import json
import os
import secrets
import sqlite3
import sys
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from charta_client import Charta, ChartaError, EditionChanged, LedgerUnavailable, Notice

HERE = Path(__file__).resolve().parent
CHARTA = Charta(os.environ["CHARTA_URL"], os.environ["CHARTA_SITE_TOKEN"])
SECRET = os.environ["CHARTA_WEBHOOK_SECRET"]
PUBLIC_URL = os.environ.get("CHARTA_PUBLIC_URL", os.environ["CHARTA_URL"]).rstrip("/")
DB = os.environ.get("SHOP_DB", "shop.db")
POLL_MS = int(os.environ.get("SHOP_POLL_MS", "30000"))
MAX_BODY = 65536

SCHEMA = """
create table if not exists shown (     -- what each form showed, kept on the server
  form_id text primary key, customer text not null, notice text not null, shown_at text not null);
create table if not exists receipts (  -- charta's receipts, kept as evidence
  record_id text primary key, customer text not null, receipt text not null);
create table if not exists events (    -- webhook event ids seen: deliveries are at least once
  event_id text primary key, type text not null);
"""


def db():
    conn = sqlite3.connect(DB, timeout=10)
    conn.executescript(SCHEMA)
    return conn


def log(msg, **fields):
    print(json.dumps({"msg": msg, **fields}, ensure_ascii=False), file=sys.stderr, flush=True)


# ---- pages

def moment(rfc3339):
    """"2026-12-01T00:00:00+05:00" as a person reads it: "01.12.2026 00:00 UTC+05:00"."""
    t = datetime.fromisoformat(rfc3339)
    offset = t.strftime("%z")
    return t.strftime("%d.%m.%Y %H:%M") + f" UTC{offset[:3]}:{offset[3:]}"


def page(title, body, script=False):
    csp = ("default-src 'none'; style-src 'self'; script-src 'self'; form-action 'self'; "
           f"connect-src {PUBLIC_URL}; frame-ancestors 'none'; base-uri 'none'")
    js = '<script src="/checkout.js" defer></script>' if script else ""
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f'</title><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/shop.css">{js}</head><body><main>'
            f'<h1>{html.escape(title)}</h1>{body}</main></body></html>'), csp


def consent_form(action, customer, notice, form_id, note="", button="Оформить заказ"):
    e = html.escape
    boxes = "".join(
        f'<label><input type="checkbox" name="purpose" value="{e(p["id"])}"> {e(p["title"])} '
        f'(п. {e(p["clause"])})</label>' for p in notice.purposes)
    current = f'{PUBLIC_URL}/api/v1/documents/{notice.document}/current'
    return (
        f'<p class="note" role="status">{e(note)}</p>' if note else ""
    ) + (
        f'<form method="post" action="{action}" data-charta-current="{e(current)}" '
        f'data-edition="{e(notice.edition)}" data-poll-ms="{POLL_MS}">'
        f'<section class="policy"><p>Как мы обрабатываем ваши персональные данные: '
        f'<a id="policy-link" href="{e(notice.page_url)}" target="_blank" rel="noopener">'
        f'{e(notice.title)}, редакция {e(notice.edition)}</a> (действует с '
        f'{e(moment(notice.effective_from))}).</p>'
        f'<p class="hash">SHA-256 страницы: <code id="page-sha256">{e(notice.page_sha256)}</code></p>'
        f'<p id="edition-changed" class="note" role="status" hidden></p></section>'
        f'<fieldset><legend>Согласия (по желанию)</legend>{boxes}</fieldset>'
        f'<input type="hidden" name="customer" value="{e(customer)}">'
        f'<input type="hidden" name="form_id" value="{e(form_id)}">'
        f'<button type="submit">{e(button)}</button></form>')


def show_form(customer, action, note="", button="Оформить заказ"):
    """Renders a consent form for the edition in force, remembering on the server what it shows:
    the receipt will cite exactly that edition and page, whatever the browser sends back."""
    notice = CHARTA.notice()
    form_id = secrets.token_urlsafe(18)
    with db() as conn:
        conn.execute("insert into shown values (?, ?, ?, datetime('now'))",
                     (form_id, customer, json.dumps(notice.__dict__, ensure_ascii=False)))
    return consent_form(action, customer, notice, form_id, note, button)


def receipt_page(receipt):
    n = receipt["privacy_notice"]
    e = html.escape
    return (f'<p>Заказ оформлен. Согласие записано: <code id="record-id">{e(receipt["record_id"])}'
            f'</code>, редакция v{n["edition"]}, цели: {e(", ".join(receipt["purposes"]))}.</p>'
            f'<details><summary>Квитанция</summary><pre id="receipt">'
            f'{e(json.dumps(receipt, ensure_ascii=False, indent=2))}</pre></details>')


# ---- consent

def record(form, action, user_agent):
    """POST /checkout and /account: records what the customer ticked on the form they saw."""
    form_id, customer = form.get("form_id", [""])[0], form.get("customer", [""])[0]
    purposes = sorted(set(form.get("purpose", [])))
    with db() as conn:
        row = conn.execute("select customer, notice from shown where form_id = ?",
                           (form_id,)).fetchone()
    if not row or row[0] != customer:
        return 400, "Форма устарела", "<p>Откройте страницу заново.</p>"
    if not purposes:
        return 200, "Заказ оформлен", "<p>Заказ оформлен. Согласий вы не давали.</p>"
    shown = json.loads(row[1])
    notice = Notice(**{**shown, "purposes": tuple(shown["purposes"])})
    # One key per act of consent: a double click or a retry records it once.
    key = "shop-" + hashlib.sha256(f"{form_id}|{','.join(purposes)}".encode()).hexdigest()[:40]
    try:
        receipt = CHARTA.record_consent(customer, notice, purposes, key, action.strip("/"),
                                        {"user_agent": user_agent[:256]})
    except EditionChanged as e:
        log("edition changed before the consent was recorded", problem=e.type)
        note = ("Политика конфиденциальности изменилась, пока страница была открыта. "
                "Прочитайте новую редакцию и отметьте согласия снова.")
        return 200, "Оформление заказа", show_form(customer, action, note)
    except LedgerUnavailable:
        return 503, "Попробуйте ещё раз", "<p>Сервис согласий недоступен. Повторите отправку.</p>"
    with db() as conn:
        conn.execute("insert or ignore into receipts values (?, ?, ?)",
                     (receipt["record_id"], customer, json.dumps(receipt, ensure_ascii=False)))
    return 200, "Заказ оформлен", receipt_page(receipt)


def account(customer):
    status = CHARTA.status(customer)
    rows = "".join(f'<li data-purpose="{html.escape(p["purpose"])}">{html.escape(p["purpose"])}: '
                   f'{html.escape(p["state"])}</li>' for p in status["purposes"])
    body = f'<ul id="consents">{rows}</ul>'
    renew = [p["purpose"] for p in status["purposes"] if p["state"] == "renewal_required"]
    if renew:
        note = ("Политика изменилась, и для целей " + ", ".join(renew) +
                " нужно ваше согласие заново.")
        body += show_form(customer, "/account", note, "Подтвердить")
    return body


# ---- webhooks

def on_event(event_type, event):
    """edition.effective: the edition in force changed; customers whose consent a material edition
    renews must be asked again (here: found and logged; a shop would e-mail them)."""
    if event_type != "edition.effective":
        return
    with db() as conn:
        customers = [r[0] for r in conn.execute("select distinct customer from receipts")]
    asked = []
    for c in customers:
        try:
            states = CHARTA.status(c)["purposes"]
        except ChartaError as e:
            log("status unavailable", error=str(e))
            continue
        if any(p["state"] == "renewal_required" for p in states):
            asked.append(c)
    log("edition in force", edition=event["edition"]["edition"], customers_to_ask=len(asked))


class Shop(BaseHTTPRequestHandler):
    server_version = "shop"

    def send(self, status, body, content_type="text/html; charset=utf-8", csp=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(data)

    def html(self, status, title, body, script=False):
        text, csp = page(title, body, script)
        self.send(status, text, csp=csp)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n)

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        customer = q.get("customer", [""])[0][:128]
        try:
            if url.path in ("/checkout.js", "/shop.css"):
                kind = "text/javascript" if url.path.endswith(".js") else "text/css"
                self.send(200, (HERE / url.path[1:]).read_text(), kind + "; charset=utf-8")
            elif url.path == "/checkout" and customer:
                self.html(200, "Оформление заказа", show_form(customer, "/checkout"), True)
            elif url.path == "/account" and customer:
                self.html(200, "Мои согласия", account(customer), True)
            elif url.path == "/healthz":
                self.send(200, "ok", "text/plain")
            else:
                self.send(404, "not found", "text/plain")
        except ChartaError as e:
            log("charta unavailable", error=str(e))
            self.html(503, "Попробуйте позже", "<p>Не удалось получить политику.</p>")

    def do_POST(self):
        path = urlsplit(self.path).path
        try:
            raw = self.body()
            if path == "/charta-events":
                return self.charta_event(raw)
            if path in ("/checkout", "/account"):
                form = parse_qs(raw.decode("utf-8", "replace"))
                status, title, body = record(form, path, self.headers.get("User-Agent", ""))
                return self.html(status, title, body, script=True)
            self.send(404, "not found", "text/plain")
        except ChartaError as e:
            log("charta refused", error=str(e))
            self.html(502, "Ошибка", "<p>Согласие не записано.</p>")
        except ValueError:
            self.send(400, "bad request", "text/plain")

    def charta_event(self, raw):
        if not Charta.verify_webhook(SECRET, raw, self.headers.get("Charta-Signature")):
            log("webhook with a bad signature refused")
            return self.send(401, "bad signature", "text/plain")
        event_id, event_type = self.headers["Charta-Event-Id"], self.headers["Charta-Event-Type"]
        with db() as conn:
            fresh = conn.execute("insert or ignore into events values (?, ?)",
                                 (event_id, event_type)).rowcount == 1
        self.send(204, "", "text/plain")  # answer at once; work after
        if fresh:
            log("webhook", type=event_type, event_id=event_id)
            threading.Thread(target=on_event, args=(event_type, json.loads(raw))).start()

    def log_message(self, fmt, *args):  # no access log with customer ids in URLs
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("SHOP_PORT", "8000"))), Shop)
    log("listening", port=server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
