// A full disk under the SQLite ledger: the test mounts a small tmpfs of its own (it must run as
// root, as CI does; CHARTA_SKIP_MOUNT=1 skips it where mounting is impossible), puts the ledger
// there and fills the rest. Consent writes answer 503 problem+json with Retry-After, reads go on,
// writes resume by themselves once space returns, nothing acknowledged is lost, and
// `charta ledger verify` passes.

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "fault/fault_support.h"

using namespace charta;
using namespace charta::fault_testing;

namespace {

// A tmpfs of "size" mounted on "dir" for the life of the object.
class Tmpfs {
 public:
  Tmpfs(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

bool skipMount() {
  const char* env = std::getenv("CHARTA_SKIP_MOUNT");
  return env && std::string_view(env) == "1";
}

struct Attempt {
  std::string key, subject, id;
};

}  // namespace

TEST_CASE("disk full under the SQLite ledger: 503 + Retry-After, reads go on, writes resume") {
  Shop<SqliteLedger> s;
  const auto mnt = s.box / "full";
  Tmpfs fs(mnt, "2m");
  if (!fs.mounted()) {
    if (skipMount()) {
      MESSAGE("CHARTA_SKIP_MOUNT=1 and tmpfs cannot be mounted here (" << fs.error()
                                                                       << "): test skipped");
      return;
    }
    FAIL("mounting a tmpfs for the disk-full test failed (" << fs.error()
                                                            << "): run the tests as root, or set "
                                                               "CHARTA_SKIP_MOUNT=1 to skip it");
  }
  s.backend.defs.push_back("ledger.uri=sqlite:" + (mnt / "consents.db").string());
  s.start();

  std::vector<Attempt> attempts;
  auto submit = [&](Attempt& a) {
    auto r = s.post("/api/v1/consents", consentBody(a.subject, "v1", "\"marketing\""),
                    tokens().site.token, a.key);
    if (r.status == 201 || r.status == 200) {
      std::string id = str(parseObject(r.body), "record_id");
      CHECK((a.id.empty() || a.id == id));
      a.id = id;
    }
    return r;
  };
  auto attempt = [&](int n) {
    attempts.push_back({"full-" + std::to_string(n), "full-subject-" + std::to_string(n % 7), ""});
    return submit(attempts.back());
  };
  int n = 0;
  for (; n < 20; ++n) REQUIRE(attempt(n).status == 201);

  // Fill the file system: dd stops at ENOSPC.
  shell("dd if=/dev/zero of=" + (mnt / "filler").string() + " bs=16k 2>/dev/null", s.box.path());
  int refused = 0;
  for (int i = 0; i < 300 && refused < 5; ++i, ++n) {
    auto r = attempt(n);
    if (r.status == 201) continue;  // free pages inside the database files may still take some
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 503);
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(std::atoi(r.header("retry-after").c_str()) >= 1);
    CHECK(r.body.find("ledger-unavailable") != std::string::npos);
    ++refused;
  }
  REQUIRE(refused == 5);

  // Reads go on: the page, the edition in force, a subject's consent status, one event.
  CHECK(testing::http(s.port(), "GET", "/personal-data").status == 200);
  CHECK(testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current").status == 200);
  CHECK(s.get("/api/v1/subjects/full-subject-1/consents").status == 200);
  CHECK(s.get("/api/v1/consents/" + attempts[0].id).status == 200);
  CHECK(s.server->err().find("database or disk is full") != std::string::npos);

  // Space returns: the refused writes, retried with their keys, are taken without a restart.
  std::filesystem::remove(mnt / "filler");
  CHECK(eventually([&] {
    for (auto& a : attempts) {
      if (a.id.empty() && submit(a).status != 201) return false;
    }
    return true;
  }));
  for (int i = 0; i < 5; ++i, ++n) CHECK(attempt(n).status == 201);

  // Nothing acknowledged is lost; every attempt is stored exactly once; the chain verifies.
  for (const auto& a : attempts) {
    CAPTURE(a.key);
    auto r = s.get("/api/v1/consents/" + a.id);
    REQUIRE(r.status == 200);
    CHECK(str(parseObject(r.body), "pii_principal_id") == a.subject);
  }
  CHECK(s.count() == static_cast<long long>(attempts.size()));
  CHECK(flag(s.verify(), "ok"));
  s.server.reset();
  auto cli = s.cli({"ledger", "verify"});
  INFO(cli.out << cli.err);
  CHECK(cli.status == 0);
}
