// Damaged evidence: a git object of the in-force edition's text overwritten (loose, and in a
// pack), and the SQLite ledger file truncated. charta never serves altered text (git checks every
// object against its id; a page already rendered from the verified text stays served, anything
// else is 503), says so (a log line, /readyz not ready, a one-line CLI error and a non-zero exit),
// and never writes to the damaged files.

#include <sys/stat.h>

#include "fault/fault_support.h"
#include "support/pg_server.h"

using namespace charta;
using namespace charta::fault_testing;

namespace {

// A valid zlib stream of a git blob with other content: the object parses, but its bytes no
// longer hash to its name.
void forgeLooseObject(const std::filesystem::path& file) {
  std::filesystem::permissions(file, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  auto r = shell(
      "printf 'blob 21\\0Altered policy text.\\n' | python3 -c 'import sys, zlib; "
      "sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))' > '" +
          file.string() + "'",
      "/");
  REQUIRE(r.status == 0);
}

std::string readyz(uint16_t port) { return testing::http(port, "GET", "/readyz").body; }

ino_t inode(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("a corrupted git object of the text in force: never served, reported, not rewritten") {
  Shop<SqliteLedger> s;
  s.backend.defs.push_back("repository.verify_s=1");
  const auto git = s.box / "var" / "policies.git";
  std::string blob = shell("git --git-dir=. rev-parse personal-data/v1:personal-data/ru.md", git)
                         .out.substr(0, 40);
  const auto object = git / "objects" / blob.substr(0, 2) / blob.substr(2);
  REQUIRE(std::filesystem::exists(object));
  const std::string original = testing::slurp(object);

  s.start();
  auto page = testing::http(s.port(), "GET", "/personal-data");
  REQUIRE(page.status == 200);
  REQUIRE(testing::http(s.port(), "GET", "/readyz").status == 200);

  forgeLooseObject(object);
  const std::string forged = testing::slurp(object);
  // The running server notices, says so, and is no longer ready.
  CHECK(eventually([&] { return testing::http(s.port(), "GET", "/readyz").status == 503; }));
  CHECK(readyz(s.port()).find("hash mismatch") != std::string::npos);
  CHECK(s.server->err().find(blob) != std::string::npos);
  // What it serves is the page rendered from the verified text, byte for byte, or nothing.
  auto again = testing::http(s.port(), "GET", "/personal-data");
  CHECK((again.status == 503 || (again.status == 200 && again.body == page.body)));

  // A restarted server has no verified copy: the page, the markdown and current are 503.
  s.server.reset();
  s.start();
  auto cold = testing::http(s.port(), "GET", "/personal-data");
  CHECK(cold.status == 503);
  CHECK(cold.body.find("Altered") == std::string::npos);
  auto md =
      testing::http(s.port(), "GET", "/api/v1/documents/personal-data/editions/v1?format=markdown");
  CHECK(md.status == 503);
  CHECK(md.header("content-type") == "application/problem+json");
  CHECK(md.body.find("Altered") == std::string::npos);
  CHECK(testing::http(s.port(), "GET", "/readyz").status == 503);
  CHECK(s.server->err().find("hash mismatch") != std::string::npos);
  // The CLI: one line and a non-zero exit.
  auto cli = s.cli({"build-site", "--out", (s.box / "site").string()});
  CHECK(cli.status != 0);
  CHECK(lines(cli.err).size() == 1);
  CHECK(cli.err.find("hash mismatch") != std::string::npos);
  // charta never rewrote the object; git agrees that it is broken.
  CHECK(testing::slurp(object) == forged);
  CHECK(shell("git --git-dir=. fsck --strict 2>&1", git).status != 0);

  // Restored from a backup: ready again, served again, without a restart.
  std::filesystem::remove(object);
  testing::writeFile(object, original);
  CHECK(eventually([&] { return testing::http(s.port(), "GET", "/readyz").status == 200; }));
  CHECK(testing::http(s.port(), "GET", "/personal-data").body == page.body);
}

TEST_CASE("a corrupted pack: the text in force is not served, and the pack is not rewritten") {
  Shop<SqliteLedger> s;
  const auto git = s.box / "var" / "policies.git";
  REQUIRE(shell("git --git-dir=. repack -a -d -q && git --git-dir=. prune-packed", git).status ==
          0);
  std::string pack;
  for (const auto& e : std::filesystem::directory_iterator(git / "objects" / "pack")) {
    if (e.path().extension() == ".pack") pack = e.path().string();
  }
  REQUIRE(!pack.empty());
  // Flip bytes in the middle of the pack, where the compressed texts are.
  std::string bytes = testing::slurp(pack);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = ~bytes[i];
  std::filesystem::permissions(pack, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  testing::writeFile(pack, bytes);

  s.start();
  auto r = testing::http(s.port(), "GET", "/personal-data");
  CHECK(r.status == 503);
  CHECK(testing::http(s.port(), "GET", "/readyz").status == 503);
  CHECK(testing::slurp(pack) == bytes);
}

TEST_CASE("a truncated SQLite ledger: reported, consents refused, the file left untouched") {
  Shop<SqliteLedger> s;
  const auto db = s.box / "var" / "consents.db";
  s.start();
  for (int i = 0; i < 40; ++i) {
    auto r = s.post("/api/v1/consents",
                    consentBody("trunc-" + std::to_string(i), "v1", "\"marketing\""));
    REQUIRE(r.status == 201);
  }
  s.server.reset();
  // Every event in the main file, then cut it (as a failing disk or a bad copy would).
  auto ck = testing::runProgram({"sqlite3", db.string(), "PRAGMA wal_checkpoint(TRUNCATE);"});
  REQUIRE_MESSAGE(ck.exitCode == 0, ck.output);
  const auto size = std::filesystem::file_size(db);
  for (auto cut : {size / 2, std::uintmax_t{4096}}) {
    CAPTURE(cut);
    std::filesystem::resize_file(db, cut);
    const std::string before = testing::slurp(db);
    const ino_t ino = inode(db);

    s.start();
    CHECK(testing::http(s.port(), "GET", "/personal-data").status == 200);  // pages go on
    auto ready = testing::http(s.port(), "GET", "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("consents.db is damaged") != std::string::npos);
    auto r = s.post("/api/v1/consents", consentBody("after", "v1", "\"marketing\""));
    CHECK(r.status == 503);
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(s.server->err().find("truncated") != std::string::npos);
    auto cli = s.cli({"ledger", "verify"});
    CHECK(cli.status != 0);
    CHECK(lines(cli.err).size() == 1);
    CHECK(cli.err.find("truncated") != std::string::npos);
    s.server.reset();

    CHECK(inode(db) == ino);
    CHECK(testing::slurp(db) == before);
  }
}
