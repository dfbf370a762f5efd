// The evidence bundle of one consent (GET /api/v1/consents/{id}/evidence and `charta evidence`):
// the API and the CLI give the same files; verify.sh passes with only git, sha256sum, a POSIX
// shell and python3 on PATH, and fails after a one-byte change of any file; an erased subject's
// bundle holds no key and still verifies; a replica that would have to anchor refuses.

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

#include "consent/consent_support.h"
#include "core/sha256.h"

using namespace charta;
using namespace charta::consent_testing;
namespace fs = std::filesystem;

#define BACKENDS SqliteLedger, PgLedger

namespace {

// The PATH verify.sh runs with: the system's tools, and no charta (checked).
constexpr const char* kBarePath = "/usr/bin:/bin";

// The tree size the tip of refs/charta/anchors states; 0 before the first anchor.
long long anchoredSize(const testing::Sandbox& box) {
  auto r =
      testing::run({"git", "--git-dir=var/policies.git", "show", "refs/charta/anchors:anchor.json"},
                   box.path(), testing::gitEnv());
  if (r.status != 0) return 0;
  return num(parseObject(r.out), "tree_size");
}

// Ready, and the anchor the server writes at start (of the edition it chained) is written.
template <typename S>
void waitReady(S& s) {
  REQUIRE(eventually([&] {
    return testing::http(s.port(), "GET", "/readyz").status == 200 && anchoredSize(s.box) >= 1;
  }));
}

// Every file under "dir", relative, with its bytes.
std::map<std::string, std::string> filesUnder(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = testing::slurp(e.path());
  }
  return out;
}

// `sh verify.sh` in "dir" with nothing but kBarePath: its exit status and output.
testing::RunResult verify(const fs::path& dir) {
  return testing::run({"/usr/bin/env", "-i", std::string("PATH=") + kBarePath, "HOME=/nonexistent",
                       "sh", "verify.sh"},
                      dir);
}

// The bundle of "id" over the API, extracted with tar into "dir".
template <typename S>
void fetchBundle(S& s, const std::string& id, const fs::path& dir) {
  auto r = s.get("/api/v1/consents/" + id + "/evidence");
  INFO(r.body.substr(0, 400));
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/x-tar");
  CHECK(r.header("content-disposition") == "attachment; filename=\"evidence-" + id + ".tar\"");
  fs::create_directories(dir);
  testing::writeFile(dir.string() + ".tar", r.body);
  testing::sh("tar -xf '" + dir.string() + ".tar' -C '" + dir.string() + "'");
}

// A copy of "dir" with byte "at" of "file" changed; verify.sh must fail on it.
void checkTamperedFails(const fs::path& dir, const std::string& file, std::size_t at) {
  const fs::path copy = dir.string() + "-tampered";
  fs::remove_all(copy);
  fs::copy(dir, copy, fs::copy_options::recursive);
  std::string bytes = testing::slurp(copy / file);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  testing::writeFile(copy / file, bytes);
  if (file == "verify.sh")
    fs::permissions(copy / file, fs::perms::owner_exec, fs::perm_options::add);
  auto r = verify(copy);
  INFO(file << " byte " << at << ": " << r.out << r.err);
  CHECK(r.status != 0);
  CHECK(r.out.find("verify.sh: OK") == std::string::npos);
}

// Where the string value of member "key" starts in the JSON "text".
std::size_t valueAt(const std::string& text, const std::string& key) {
  auto p = text.find("\"" + key + "\"");
  REQUIRE(p != std::string::npos);
  p = text.find('"', p + key.size() + 2);
  REQUIRE(p != std::string::npos);
  return p + 1;
}

// A forgery that keeps SHA256SUMS consistent: byte "at" of "file" changed and its line of
// SHA256SUMS recomputed. The checks behind the sums must still refuse it.
void checkForgeryFails(const fs::path& dir, const std::string& file, std::size_t at) {
  const fs::path copy = dir.string() + "-forged";
  fs::remove_all(copy);
  fs::copy(dir, copy, fs::copy_options::recursive);
  std::string bytes = testing::slurp(copy / file);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  testing::writeFile(copy / file, bytes);
  std::string sums = testing::slurp(copy / "SHA256SUMS");
  const std::string line = "  " + file + "\n";
  const auto p = sums.find(line);
  REQUIRE(p != std::string::npos);
  REQUIRE(p >= 64);
  sums.replace(p - 64, 64, core::sha256Hex(bytes));
  testing::writeFile(copy / "SHA256SUMS", sums);
  auto r = verify(copy);
  INFO(file << " byte " << at << " with SHA256SUMS recomputed: " << r.out << r.err);
  CHECK(r.status != 0);
  CHECK(r.err.find("SHA256SUMS") == std::string::npos);  // refused by the check behind the sums
}

}  // namespace

TEST_CASE_TEMPLATE("an evidence bundle proves a consent without charta, and no byte can change", B,
                   BACKENDS) {
  REQUIRE(!fs::exists("/usr/bin/charta"));
  REQUIRE(!fs::exists("/bin/charta"));
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  // Another subject's consent first: nothing of it may be in the bundle.
  REQUIRE(
      s.post("/api/v1/consents", consentBody("other-subject-7731", "v1", "\"marketing\"")).status ==
      201);
  auto page = testing::http(s.port(), "GET", "/personal-data/v1");
  REQUIRE(page.status == 200);
  const std::string pageSha = core::sha256Hex(page.body);
  const std::string body =
      consentBody("subj-evidence", "v1", "\"marketing\"",
                  ",\"page_sha256\":\"" + pageSha + "\",\"evidence\":{\"ua\":\"Mozilla/5.0\"}");
  auto created = s.post("/api/v1/consents", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const std::string id = str(parseObject(created.body), "record_id");

  // The auditor's archive: the right role, a problem for an unknown id.
  CHECK(s.get("/api/v1/consents/" + id + "/evidence", tokens().site.token).status == 403);
  auto missing = s.get("/api/v1/consents/00000000-0000-4000-8000-000000000000/evidence");
  CHECK(missing.status == 404);
  CHECK(missing.header("content-type") == "application/problem+json");
  const fs::path api = s.box / "api";
  fetchBundle(s, id, api);
  auto r = s.cli({"evidence", id, "--out", "cli"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(s.cli({"evidence", id, "--out", "cli"}).status != 0);  // not into a folder with files

  const auto files = filesUnder(api);
  CHECK(files == filesUnder(s.box / "cli"));  // the API and the CLI give the same bytes
  for (const char* name : {"receipt.json", "bundle.json", "consent.event", "publication.event",
                           "consent.proof.json", "anchor.json", "page.html", "subject_key.hex",
                           "evidence.json", "VERIFY.md", "verify.sh", "SHA256SUMS"}) {
    CHECK_MESSAGE(files.count(name), name);
  }
  CHECK(files.at("page.html") == page.body);
  CHECK(files.at("VERIFY.md").find("Доказательство согласия") != std::string::npos);
  CHECK(files.at("VERIFY.md").find("Evidence of a consent") != std::string::npos);
  std::size_t objects = 0;
  for (const auto& [name, bytes] : files) {
    objects += name.rfind("objects/", 0) == 0;
    CHECK_MESSAGE(bytes.find("other-subject-7731") == std::string::npos, name);
  }
  CHECK(objects >= 6);  // anchor commit and tree; tag, commit, tree(s), texts, charta.xml

  auto ok = verify(api);
  INFO(ok.out << ok.err);
  CHECK(ok.status == 0);
  CHECK(ok.out.find("verify.sh: OK") != std::string::npos);
  CHECK(verify(s.box / "cli").status == 0);

  // Forgeries that recompute SHA256SUMS: the receipt's pseudonym, every chained or hashed file.
  const std::string& receipt = files.at("receipt.json");
  for (const char* key : {"subject_pseudonym", "text_sha256", "page_sha256", "commit", "hash"}) {
    checkForgeryFails(api, "receipt.json", valueAt(receipt, key));
  }
  for (const auto& [name, bytes] : files) {
    if (name == "VERIFY.md" || name == "verify.sh" || name == "SHA256SUMS" ||
        name == "receipt.json" || name == "bundle.json") {
      continue;
    }
    checkForgeryFails(api, name, bytes.size() / 2);
  }

  // Any one byte of any file: its first, middle and last.
  for (const auto& [name, bytes] : files) {
    REQUIRE(!bytes.empty());
    for (std::size_t at : {std::size_t{0}, bytes.size() / 2, bytes.size() - 1}) {
      checkTamperedFails(api, name, at);
    }
  }
}

TEST_CASE_TEMPLATE("an erased subject's bundle holds no key and still verifies", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  auto created = s.post("/api/v1/consents", consentBody("subj-gone", "v1", "\"marketing\"",
                                                        ",\"evidence\":{\"ua\":\"Mozilla/5.0\"}"));
  REQUIRE(created.status == 201);
  const std::string id = str(parseObject(created.body), "record_id");
  auto erased = s.post("/api/v1/subjects/subj-gone/erasure", "{\"reason\":\"request\"}",
                       tokens().legal.token);
  REQUIRE(erased.status == 201);

  const fs::path dir = s.box / "erased";
  fetchBundle(s, id, dir);
  const auto files = filesUnder(dir);
  CHECK(!files.count("subject_key.hex"));
  CHECK(!files.count("evidence.json"));
  for (const auto& [name, bytes] : files) {
    CHECK_MESSAGE(bytes.find("subj-gone") == std::string::npos, name);
  }
  auto ok = verify(dir);
  INFO(ok.out << ok.err);
  CHECK(ok.status == 0);
  CHECK(ok.out.find("subject erased") != std::string::npos);
  checkTamperedFails(dir, "receipt.json", files.at("receipt.json").size() / 2);
}

TEST_CASE("a replica does not anchor for a bundle; the primary anchors first") {
  Shop<SqliteLedger> s;
  s.start();
  waitReady(s);
  auto created = s.post("/api/v1/consents", consentBody("subj-late", "v1", "\"marketing\""));
  REQUIRE(created.status == 201);
  const std::string id = str(parseObject(created.body), "record_id");
  // No anchor holds the consent yet (the server anchors publications and every hour).
  auto refused = s.cli({"-D", "repository.replica=true", "evidence", id, "--out", "replica"});
  INFO(refused.out << refused.err);
  CHECK(refused.status != 0);
  CHECK(refused.err.find("replica") != std::string::npos);
  CHECK(!fs::exists(s.box / "replica"));
  auto r = s.cli({"evidence", id, "--out", "primary"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(verify(s.box / "primary").status == 0);
  const auto anchor = parseObject(testing::slurp(s.box / "primary/anchor.json"));
  const auto receipt = parseObject(testing::slurp(s.box / "primary/receipt.json"));
  CHECK(num(anchor, "tree_size") >= receipt->getObject("chain")->getValue<long long>("seq"));

  // Later anchors: the bundle still proves the event in the nearest one that holds it.
  REQUIRE(s.post("/api/v1/consents", consentBody("subj-later", "v1", "\"marketing\"")).status ==
          201);
  REQUIRE(s.cli({"ledger", "anchor"}).status == 0);
  REQUIRE(anchoredSize(s.box) > num(anchor, "tree_size"));
  REQUIRE(s.cli({"evidence", id, "--out", "again"}).status == 0);
  CHECK(testing::slurp(s.box / "again/anchor.json") ==
        testing::slurp(s.box / "primary/anchor.json"));
  CHECK(verify(s.box / "again").status == 0);
}
