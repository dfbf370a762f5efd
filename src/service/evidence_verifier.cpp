#include "service/evidence_bundle.h"

// verify.sh and VERIFY.md of an evidence bundle (evidence_bundle.h). The script is the whole
// check a third party runs; keep it to git, sha256sum, POSIX sh and python3's standard library.
namespace charta::service {

namespace {

// The script, as it is written into every bundle.
constexpr const char* kScript = R"script(#!/bin/sh
# verify.sh: checks this evidence bundle of one consent recorded by charta with git, sha256sum, a
# POSIX shell and python3's standard library alone (VERIFY.md says what each check proves).
# Exit 0 and "verify.sh: OK": every check passed. Anything else: the bundle does not prove it.
set -eu
cd "$(dirname "$0")"
fail() {
  echo "verify.sh: FAILED: $*" >&2
  exit 1
}
for tool in git sha256sum python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed"
done
# 1. Every file is as the bundle lists it.
sha256sum --quiet --strict -c SHA256SUMS || fail "a file is not the one SHA256SUMS lists"
# 2. Every git object hashes to its id.
for f in objects/*; do
  name=${f#objects/}
  id=${name%.*}
  type=${name##*.}
  got=$(git hash-object -t "$type" --stdin <"$f") || fail "$f is not a git $type object"
  [ "$got" = "$id" ] || fail "$f hashes to $got"
done
# 3. The rest, in python3: the receipt against the chained event, the inclusion proofs against the
# anchored root, the anchor in its commit, tag -> commit -> tree -> blob, the texts, the page and
# the subject's pseudonym.
python3 - <<'PYTHON' || exit 1
import datetime, hashlib, hmac, json, os, sys

def fail(msg):
    sys.stderr.write("verify.sh: FAILED: " + msg + "\n")
    sys.exit(1)

def read(name):
    try:
        with open(name, "rb") as f:
            return f.read()
    except OSError:
        fail("the bundle has no " + name)

def sha(b):
    return hashlib.sha256(b).hexdigest()

def git_id(kind, b):
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(b)) + b).hexdigest()

def obj(oid, kind):
    name = "objects/%s.%s" % (oid, kind)
    if not os.path.isfile(name):
        fail("the bundle has no %s %s" % (kind, oid))
    return read(name)

def header(payload, key):
    for line in payload.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(key + b" "):
            return line[len(key) + 1:].decode()
    fail("no %s line in a git object" % key.decode())

def tree_entries(payload):
    out, at = {}, 0
    while at < len(payload):
        sp, nul = payload.index(b" ", at), payload.index(b"\0", at)
        out[payload[sp + 1:nul].decode()] = payload[nul + 1:nul + 21].hex()
        at = nul + 21
    return out

def blob_at(tree, path):
    for part in path.split("/"):
        entry = tree_entries(obj(tree, "tree")).get(part)
        if entry is None:
            fail("the edition's tree has no " + path)
        tree = entry
    return tree

OPTIONAL = {"publication", "page_sha256", "form_id", "evidence_sha256", "reason", "idempotency_key"}
SUBJECT = ["subject", "document", "edition", "publication", "commit", "text_sha256", "page_sha256",
           "language", "purposes", "collection_method", "form_id", "evidence_sha256", "reason",
           "idempotency_key", "request_digest"]
KINDS = {"consent.given": SUBJECT, "consent.withdrawn": SUBJECT, "subject.blocked": SUBJECT,
         "subject.unblocked": SUBJECT,
         "edition.published": ["document", "edition", "tag", "commit", "published_at",
                               "effective_from", "material", "imported", "texts",
                               "registry_sha256", "observed_via"]}

def decode(b):
    if not b.startswith(b"charta-event/2\n"):
        fail("an event is not charta-event/2")
    at, fields = len(b"charta-event/2\n"), {}
    def field(name, optional):
        nonlocal at
        if b[at:at + len(name) + 1] != name.encode() + b":":
            fail("an event lacks field " + name)
        at += len(name) + 1
        if optional and b[at:at + 2] == b"-\n":
            at += 2
            return None
        colon = b.index(b":", at)
        digits = b[at:colon].decode()
        if not digits.isdigit() or (len(digits) > 1 and digits[0] == "0"):
            fail("a bad length in field " + name)
        n = int(digits)
        value, at = b[colon + 1:colon + 1 + n], colon + 1 + n
        if b[at:at + 1] != b"\n":
            fail("field %s is not followed by a new line" % name)
        at += 1
        return value.decode()
    for name in ["id", "seq", "kind", "recorded_at"]:
        fields[name] = field(name, False)
    if fields["kind"] not in KINDS:
        fail("an event of an unexpected kind")
    for name in KINDS[fields["kind"]]:
        fields[name] = field(name, name in OPTIONAL)
    fields["prev_hash"] = field("prev_hash", False)
    if at != len(b):
        fail("bytes after an event's last field")
    return fields

def included(entry, proof, anchor):
    # RFC 9162 2.1.3.2, the leaf hash SHA-256(0x00 || entry).
    index, size = proof["leaf_index"], proof["tree_size"]
    if size != anchor["tree_size"] or not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = hashlib.sha256(b"\0" + entry).digest()
    for p in proof["hashes"]:
        p = bytes.fromhex(p)
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\1" + p + r).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\1" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r.hex() == anchor["root"]

def check_listing():
    listed = set()
    for line in read("SHA256SUMS").decode().splitlines():
        listed.add(line[66:])
    found = set()
    for root, dirs, files in os.walk("."):
        for f in files:
            found.add(os.path.relpath(os.path.join(root, f), ".").replace(os.sep, "/"))
    if found != listed | {"SHA256SUMS"}:
        fail("files not listed in SHA256SUMS: %s" % sorted(found ^ (listed | {"SHA256SUMS"})))

def check_anchor(B):
    a = B["anchor"]
    anchor = json.loads(read("anchor.json"))
    if anchor.get("format") != "charta-anchor/1":
        fail("anchor.json is not charta-anchor/1")
    if header(obj(a["commit"], "commit"), b"tree") != a["tree"]:
        fail("the anchor commit does not hold the anchor's tree")
    entries = tree_entries(obj(a["tree"], "tree"))
    if entries.get("anchor.json") != git_id("blob", read("anchor.json")):
        fail("anchor.json is not the one in the anchor commit's tree")
    if os.path.exists("timestamp.tsr") or "timestamp.tsr" in entries:
        if entries.get("timestamp.tsr") != git_id("blob", read("timestamp.tsr")):
            fail("timestamp.tsr is not the one in the anchor commit's tree")
    return anchor

def check_event(name, anchor):
    e = B[name]
    raw = read(e["bytes"])
    fields = decode(raw)
    if int(fields["seq"]) != e["seq"]:
        fail("%s: the event's seq is not the bundle's" % e["bytes"])
    proof = json.loads(read(e["proof"]))
    if proof["seq"] != e["seq"] or proof["leaf_index"] != e["seq"] - 1 or \
            not included(raw, proof, anchor):
        fail("%s is not in the anchored tree head (inclusion proof)" % e["bytes"])
    return raw, fields

def check_receipt(R, raw, c):
    n, ch = R["privacy_notice"], R["chain"]
    kind = {"given": "consent.given", "withdrawn": "consent.withdrawn",
            "blocked": "subject.blocked", "unblocked": "subject.unblocked"}.get(R["event_type"])
    t = datetime.datetime.fromisoformat(R["event_time"])
    ms = (t - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // \
        datetime.timedelta(milliseconds=1)
    pairs = [(ch["hash"], sha(raw)), (R["record_id"], c["id"]), (ch["seq"], int(c["seq"])),
             (kind, c["kind"]), (ms, int(c["recorded_at"])), (ch["prev_hash"], c["prev_hash"]),
             (ch["request_digest"], c["request_digest"]),
             (R["subject_pseudonym"], c["subject"]), (n["document"], c["document"]),
             (str(n["edition"]), c["edition"]), (n["commit"], c["commit"]),
             (n["text_sha256"], c["text_sha256"]), (n.get("page_sha256"), c["page_sha256"]),
             (n["language"], c["language"]), (",".join(sorted(R["purposes"])), c["purposes"]),
             (str(n.get("publication")), str(c["publication"])),
             (R["collection_method"], c["collection_method"]), (R.get("form_id"), c["form_id"]),
             (R.get("evidence_sha256"), c["evidence_sha256"]), (R.get("reason"), c["reason"])]
    for i, (said, chained) in enumerate(pairs):
        if said != chained:
            fail("receipt.json does not say what the consent event says (check %d)" % i)

def check_edition(B, c, p):
    ed = B["edition"]
    tag = obj(ed["tag"], "tag")
    if p["tag"] != ed["tag"] or header(tag, b"object") != ed["commit"] or \
            header(tag, b"type") != "commit":
        fail("the tag does not tag the edition's commit")
    if p["commit"] != ed["commit"] or c["commit"] != ed["commit"]:
        fail("the events do not cite the edition's commit")
    if header(obj(ed["commit"], "commit"), b"tree") != ed["tree"]:
        fail("the edition's commit does not hold its tree")
    if (p["document"], p["edition"]) != (c["document"], c["edition"]) or \
            c["publication"] != p["seq"]:
        fail("the consent does not cite this publication")
    texts = {}
    for t in ed["texts"]:
        blob = blob_at(ed["tree"], t["path"])
        if blob != t["blob"]:
            fail("the tree holds another " + t["path"])
        texts[t["language"]] = sha(obj(blob, "blob"))
    if ",".join("%s=%s" % kv for kv in sorted(texts.items())) != p["texts"]:
        fail("the texts' SHA-256 are not those the publication event chained")
    if texts.get(c["language"]) != c["text_sha256"]:
        fail("the text's SHA-256 is not the blob's")
    reg = ed["registry"]
    if blob_at(ed["tree"], reg["path"]) != reg["blob"] or \
            sha(obj(reg["blob"], "blob")) != p["registry_sha256"]:
        fail("charta.xml is not the one the publication event chained")

def check_subject(B, R, c):
    s = B.get("subject")
    if s is None:
        if R.get("pii_principal_id") is not None:
            fail("the bundle lacks the key of a subject that is not erased")
        return "subject erased: its key is destroyed, the pseudonym links to nobody"
    key = bytes.fromhex(read(s["key"]).decode().strip())
    if hmac.new(key, R["pii_principal_id"].encode(), hashlib.sha256).hexdigest() != c["subject"]:
        fail("the pseudonym is not the HMAC of the subject id under its key")
    if s.get("evidence") is not None:
        d = hmac.new(key, read(s["evidence"]), hashlib.sha256).hexdigest()
        if d != c["evidence_sha256"] or json.loads(read(s["evidence"])) != R.get("evidence"):
            fail("evidence_sha256 is not the HMAC of the evidence under the subject's key")
    elif c["evidence_sha256"] is not None:
        fail("the bundle lacks the evidence the event's digest names")
    return "subject id and evidence match the chained pseudonym and digest"

def main():
    global B
    check_listing()
    B, R = json.loads(read("bundle.json")), json.loads(read("receipt.json"))
    if B.get("format") != "charta-evidence/1" or B["record_id"] != R["record_id"]:
        fail("bundle.json is not charta-evidence/1 of this receipt")
    anchor = check_anchor(B)
    raw, c = check_event("consent", anchor)
    _, p = check_event("publication", anchor)
    if p["kind"] != "edition.published":
        fail("the publication event is not an edition.published")
    check_receipt(R, raw, c)
    check_edition(B, c, p)
    if B.get("page") is not None:
        if sha(read(B["page"])) != c["page_sha256"]:
            fail("the page's SHA-256 is not the one the consent names")
    elif c["page_sha256"] is not None:
        fail("the bundle lacks the page the consent names")
    who = check_subject(B, R, c)
    print("consent %s (seq %s) to %s v%s in %s: in the anchored tree of %d events, root %s; %s" %
          (c["id"], c["seq"], c["document"], c["edition"], c["language"], anchor["tree_size"],
           anchor["root"], who))


try:
    main()
except (KeyError, ValueError, TypeError, IndexError, AttributeError) as e:
    fail("a file of the bundle is malformed (%s: %s)" % (type(e).__name__, e))
PYTHON
echo "verify.sh: OK"
)script";

constexpr const char* kGuideRu = R"guide(# Доказательство согласия

Этот архив доказывает одно событие журнала согласий charta (`receipt.json`): кто-то (субъект,
указанный псевдонимом) дал или отозвал согласие на определённые цели по точной редакции документа,
в точное время. Проверить его можно без charta: нужны только `git`, `sha256sum`, оболочка POSIX и
стандартная библиотека `python3`.

## Как проверить

    sh verify.sh

`verify.sh: OK` — все проверки пройдены; любое иное сообщение — архив ничего не доказывает.
Изменение любого байта любого файла архива приводит к отказу.

## Что проверяется

1. `SHA256SUMS`: каждый файл архива совпадает с перечисленным, лишних файлов нет.
2. `objects/<id>.<тип>`: каждый объект git даёт свой идентификатор
   (`git hash-object -t <тип> --stdin < файл`).
3. `consent.event` и `publication.event` — канонические байты события согласия и события публикации
   редакции (формат `charta-event/2`). Их поля совпадают с `receipt.json`, а SHA-256 байтов
   события согласия — с `chain.hash` квитанции.
4. `*.proof.json` — доказательства включения (RFC 9162) обоих событий в дерево Меркла журнала,
   корень которого записан в `anchor.json`.
5. `anchor.json` (и `timestamp.tsr`, метка времени RFC 3161, если есть) находится в дереве
   коммита якоря `refs/charta/anchors` репозитория политик. Этот коммит есть в каждом клоне
   репозитория: сравните его идентификатор (`bundle.json`, `anchor.commit`) с
   `git log refs/charta/anchors` у себя. Метку времени проверяет OpenSSL с сертификатом службы
   времени: `openssl ts -verify -data anchor.json -in timestamp.tsr -CAfile tsa-ca.pem`.
6. Тег редакции указывает на её коммит, коммит — на дерево, дерево — на тексты и `charta.xml`;
   SHA-256 текстов и `charta.xml` совпадают с событием публикации, SHA-256 текста на языке
   согласия — с квитанцией. Тег есть в репозитории политик (`refs/tags/<документ>/v<N>`).
7. `page.html` — точные байты страницы, которую видел субъект: её SHA-256 равен `page_sha256`.
8. `subject_key.hex` (только пока субъект не удалён): HMAC-SHA256 идентификатора субъекта под
   этим ключом равен псевдониму в событии, а HMAC-SHA256 `evidence.json` — `evidence_sha256`.
   После удаления субъекта ключ уничтожен: события остаются доказательством того, что некто дал
   согласие на точную редакцию, но ничто больше не связывает их с человеком.

)guide";

constexpr const char* kGuideEn = R"guide(# Evidence of a consent

This archive proves one event of a charta consent ledger (`receipt.json`): someone (the subject,
named by a pseudonym) gave or withdrew consent to purposes under an exact edition of a document, at
an exact time. It is checked without charta: `git`, `sha256sum`, a POSIX shell and `python3`'s
standard library are all it needs.

## How to check it

    sh verify.sh

`verify.sh: OK`: every check passed; anything else: the archive proves nothing. A change of any
byte of any file of the archive makes it fail.

## What is checked

1. `SHA256SUMS`: every file is the one listed, and no other file is there.
2. `objects/<id>.<type>`: every git object hashes to its id
   (`git hash-object -t <type> --stdin < file`).
3. `consent.event` and `publication.event` are the canonical bytes of the consent event and of the
   edition's publication event (format `charta-event/2`). Their fields agree with `receipt.json`,
   and the SHA-256 of the consent event's bytes is the receipt's `chain.hash`.
4. `*.proof.json` are the inclusion proofs (RFC 9162) of both events in the ledger's Merkle tree
   whose root `anchor.json` states.
5. `anchor.json` (and `timestamp.tsr`, an RFC 3161 time-stamp token, when there is one) is in the
   tree of an anchor commit of `refs/charta/anchors` in the policy repository. Every clone of the
   repository holds that commit: compare its id (`bundle.json`, `anchor.commit`) with
   `git log refs/charta/anchors` in yours. OpenSSL checks the token with the time-stamping
   authority's certificate: `openssl ts -verify -data anchor.json -in timestamp.tsr -CAfile tsa-ca.pem`.
6. The edition's tag names its commit, the commit its tree, the tree the texts and `charta.xml`;
   their SHA-256 are those the publication event chained, and the text in the consent's language
   is the receipt's `text_sha256`. The tag is in the policy repository (`refs/tags/<doc>/v<N>`).
7. `page.html` holds the exact bytes of the page the subject was shown: its SHA-256 is
   `page_sha256`.
8. `subject_key.hex` (only while the subject is not erased): HMAC-SHA256 of the subject id under
   this key is the event's pseudonym, and HMAC-SHA256 of `evidence.json` its `evidence_sha256`.
   Once the subject is erased the key is destroyed: the events remain evidence that someone
   consented to an exact edition, and nothing links them to the person any more.
)guide";

}  // namespace

std::string verifyScript() { return kScript; }

std::string verifyGuide(std::string_view language) {
  if (language == "ru") return std::string(kGuideRu) + "---\n\n" + kGuideEn;
  return kGuideEn;
}

}  // namespace charta::service
