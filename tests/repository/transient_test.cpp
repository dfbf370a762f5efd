// Out of file descriptors, libgit2 cannot open a pack and says the objects in it are not found.
// The repository never takes that for absence: an edition does not drop out of the timeline, a
// commit a ref names is not "not found" — the error is transient (RepositoryUnavailable), and
// reading works again once descriptors are free.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

#include "core/error.h"
#include "core/publication.h"
#include "repository/policy_repository.h"
#include "repository/repo_fixture.h"

using namespace charta;
using testing::at;
using testing::kDoc;
using testing::sh;

namespace {

// Holds every descriptor the process may still open, until destroyed; the limit is lowered to
// keep that few.
class Exhausted {
 public:
  Exhausted() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = 256;
    setrlimit(RLIMIT_NOFILE, &low);
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fds_.push_back(fd);
  }
  ~Exhausted() {
    for (int fd : fds_) ::close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> fds_;
};

// The sanitizers' runtimes need descriptors of their own (UndefinedBehaviorSanitizer checks an
// object's dynamic type through a pipe): out of descriptors, the checker itself fails. The plain
// build runs this test.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

TEST_CASE("out of descriptors: a transient error, never a missing edition or commit" *
          doctest::skip(kSanitized)) {
  testing::RepoFixture f;
  core::Edition e{kDoc,
                  *core::EditionNo::of(1),
                  f.repo->head(),
                  at("2026-11-26T10:00:00+05:00"),
                  at("2026-11-26T10:00:00+05:00"),
                  core::kKazakhstanOffset,
                  false,
                  {},
                  {},
                  testing::kLegal,
                  std::nullopt,
                  std::nullopt};
  f.repo->createEditionTag(kDoc, e.no, e.commit, core::editionMessage(e), e.publisher,
                           e.publishedAt, e.effectiveOffset);
  // Everything in one pack, and the refs packed: reading needs files opened anew.
  sh("git gc -q --prune=now", f.dir);
  auto fresh = repository::PolicyRepository::open(f.dir);
  {
    Exhausted none;
    CHECK_THROWS_AS(fresh->editions(kDoc), repository::RepositoryUnavailable);
    CHECK_THROWS_AS(fresh->readFile(e.commit, "charta.xml"), Unavailable);
  }
  auto eds = fresh->editions(kDoc);
  REQUIRE(eds.timeline.editions().size() == 1);
  CHECK(eds.problems.empty());
  {
    // What is open already is still read; a commit that cannot be found when the process is out
    // of descriptors is not "not found".
    Exhausted none;
    CHECK(fresh->readFile(e.commit, "charta.xml"));
    CHECK_THROWS_AS(fresh->readFile(*core::CommitId::parse(std::string(40, 'b')), "charta.xml"),
                    Unavailable);
  }
  CHECK(fresh->readFile(e.commit, "charta.xml"));
  CHECK_THROWS_AS(fresh->readFile(*core::CommitId::parse(std::string(40, 'b')), "charta.xml"),
                  NotFound);
}
