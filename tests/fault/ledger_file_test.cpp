// The SQLite ledger file as it may be found on disk: empty, not SQLite at all, its header ahead
// of the file while the WAL holds the rest (a checkpoint cut short by a crash), and brand new while
// several processes open it at once. Each through the real `charta serve` and `charta ledger
// verify`, so that the tests hold whatever the ledger's code looks like inside.

#include <sys/stat.h>

#include <future>

#include "fault/fault_support.h"
#include "support/pg_server.h"

using namespace charta;
using namespace charta::fault_testing;

namespace {

ino_t inode(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

std::uint32_t bigEndian32(const std::string& bytes, size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(bytes[at + 3])};
}

void setBigEndian32(std::string& bytes, size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}

}  // namespace

TEST_CASE("an empty or non-SQLite ledger file: reported, consents refused, the file untouched") {
  Shop<SqliteLedger> s;
  const auto db = s.box / "var" / "consents.db";
  std::string noise(8192, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 251);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"", "empty"},
      {"consent_events\n", "not an SQLite database"},
      {noise, "not an SQLite database"},
      {"SQLite format 2\0" + std::string(4080, 'x'), "not an SQLite database"}};
  for (const auto& [content, reason] : files) {
    CAPTURE(content.size());
    std::filesystem::create_directories(db.parent_path());
    testing::writeFile(db, content);
    const ino_t ino = inode(db);

    s.start();
    CHECK(testing::http(s.port(), "GET", "/personal-data").status == 200);  // pages go on
    auto ready = testing::http(s.port(), "GET", "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("consents.db is damaged") != std::string::npos);
    auto r = s.post("/api/v1/consents", consentBody("s-file", "v1", "\"marketing\""));
    CHECK(r.status == 503);
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(s.server->err().find(reason) != std::string::npos);
    auto cli = s.cli({"ledger", "verify"});
    CHECK(cli.status != 0);
    CHECK(lines(cli.err).size() == 1);
    CHECK(cli.err.find(reason) != std::string::npos);
    s.server.reset();

    // Never opened for writing, recreated or repaired: the same file with the same bytes, and
    // no WAL beside it.
    CHECK(inode(db) == ino);
    CHECK(testing::slurp(db) == content);
    CHECK_FALSE(std::filesystem::exists(db.string() + "-wal"));
    std::filesystem::remove(db);
  }
}

TEST_CASE("a ledger whose header is ahead of the file opens while its WAL holds the frames") {
  Shop<SqliteLedger> s;
  const auto db = s.box / "var" / "consents.db";
  const auto wal = s.box / "var" / "consents.db-wal";
  s.start();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(
        s.post("/api/v1/consents", consentBody("wal-" + std::to_string(i), "v1", "\"marketing\""))
            .status == 201);
  }
  // A crash: the events are in the WAL, which a clean close would have checkpointed away.
  s.server->kill(SIGKILL);
  REQUIRE(std::filesystem::exists(wal));
  REQUIRE(std::filesystem::file_size(wal) > 0);
  // What a checkpoint cut short leaves: page 1 already names the grown page count, the pages that
  // extend the file not yet written. SQLite's recovery completes it from the WAL.
  std::string bytes = testing::slurp(db);
  REQUIRE(bytes.size() >= 100);
  const std::uint32_t pageSize =
      (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
  const std::uint32_t pages = bigEndian32(bytes, 28);
  CHECK(std::uint64_t{pages} * pageSize <= bytes.size());
  setBigEndian32(bytes, 28, pages + 8);
  testing::writeFile(db, bytes);

  auto cli = s.cli({"ledger", "verify"});
  INFO(cli.out << cli.err);
  CHECK(cli.status == 0);
  // The five consents and the publication of v1 they cite.
  CHECK(cli.out.find("ledger ok: 6 events") != std::string::npos);
  s.start();
  CHECK(testing::http(s.port(), "GET", "/readyz").status == 200);
  CHECK(s.post("/api/v1/consents", consentBody("wal-after", "v1", "\"marketing\"")).status == 201);
  CHECK(s.count() == 6);
  s.server.reset();

  // The same header without the WAL's frames (closed cleanly, so checkpointed, then grown in
  // the header only) is a truncated file: refused, and left as it is.
  REQUIRE_FALSE(std::filesystem::exists(wal));
  bytes = testing::slurp(db);
  setBigEndian32(bytes, 28, static_cast<std::uint32_t>(bytes.size() / pageSize) + 8);
  testing::writeFile(db, bytes);
  cli = s.cli({"ledger", "verify"});
  CHECK(cli.status != 0);
  CHECK(lines(cli.err).size() == 1);
  CHECK(cli.err.find("truncated") != std::string::npos);
  CHECK(testing::slurp(db) == bytes);
}

TEST_CASE("processes opening a new SQLite ledger at once all open it") {
  // Each round a ledger that does not exist yet, opened by 6 processes at the same moment: the
  // one that switches it to WAL makes the others wait (within the busy timeout), never fail.
  testing::Sandbox box;
  constexpr int kProcesses = 6;
  for (int round = 0; round < 8; ++round) {
    CAPTURE(round);
    const std::string uri =
        "ledger.uri=sqlite:" + (box / ("new-" + std::to_string(round) + ".db")).string();
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    std::vector<std::future<testing::RunResult>> runs;
    for (int i = 0; i < kProcesses; ++i) {
      runs.push_back(std::async(std::launch::async, [&] {
        start.wait();
        return testing::run({testing::chartaBinary(), "-D", uri, "ledger", "verify"}, box.path());
      }));
    }
    go.set_value();
    for (auto& f : runs) {
      testing::RunResult r = f.get();
      INFO(r.err);
      CHECK(r.status == 0);
      CHECK(r.out.find("ledger ok: 0 events") != std::string::npos);
    }
  }
}
