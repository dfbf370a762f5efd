// Pushes with the real git CLI over file:// to the bare repository `charta init` made: what would
// delete, move or forge the record of editions is refused where it lives (receive.* settings and
// the pre-receive hook running `charta hook pre-receive`), one line per refused ref for the
// pusher; what charta would write itself goes through.

#include <fstream>

#include "record/record_support.h"

using namespace charta;
using namespace charta::recordtest;
using namespace std::chrono;

namespace {

// Writes "message" to a file in the sandbox and makes the annotated tag "name" of "target" with
// it in the clone, tagged at "when" (whole seconds, as git keeps them).
void forgeTag(const Record& r, const std::string& name, const std::string& message,
              core::Instant when, const std::string& target = "HEAD") {
  testing::writeFile(r.box / "message", message);
  RunResult t =
      r.shell("git tag -a " + name + " -F ../message " + target, "wt",
              {"GIT_COMMITTER_DATE=@" + std::to_string(core::toUnixSeconds(when)) + " +0500"});
  REQUIRE_MESSAGE(t.status == 0, t.err);
}

std::string editionMessage(int n, core::Instant published, core::Instant effective) {
  return "Publish personal-data v" + std::to_string(n) + "\n\nEffective-From: " + at(effective) +
         "\nPublished-At: " + at(published) + "\nMaterial: no\n";
}

// The refusal lines the pusher saw ("remote: charta: ..."), and that the push failed.
std::string refused(const RunResult& push) {
  INFO("push stderr: " << push.err);
  CHECK(push.status != 0);
  return push.err;
}

}  // namespace

TEST_CASE("deleting or moving an edition with git is refused by the hook; a branch by git too") {
  Record r;
  r.commitEdit("Новый абзац.");
  REQUIRE(r.charta({"publish", "personal-data"}).status == 0);  // v2, in force
  const std::string before = r.remoteTags();
  REQUIRE(before.find("refs/tags/personal-data/v2") != std::string::npos);
  CHECK(testing::sh("git config receive.denyDeletes", r.box / "var/policies.git") == "true\n");
  CHECK(testing::sh("git config receive.denyNonFastForwards", r.box / "var/policies.git") ==
        "true\n");

  // Issue 13: `git push origin :refs/tags/personal-data/v6` made charta forget the edition.
  std::string err = refused(r.shell("git push origin :refs/tags/personal-data/v2"));
  CHECK(err.find("remote: charta: refs/tags/personal-data/v2: deleting it is refused: editions "
                 "and withdrawals are never deleted or moved") != std::string::npos);
  testing::sh("git fetch -q origin 'refs/tags/*:refs/tags/*'", r.box / "wt");
  forgeTag(r, "-f personal-data/v1", editionMessage(1, core::now(), core::now()), core::now());
  err = refused(r.shell("git push -f origin personal-data/v1"));
  CHECK(err.find("remote: charta: refs/tags/personal-data/v1: moving it is refused") !=
        std::string::npos);
  CHECK(r.remoteTags() == before);

  // git's own receive.denyDeletes protects branches only: the tags rely on the hook, which holds
  // without it.
  testing::sh("git config receive.denyDeletes false", r.box / "var/policies.git");
  err = refused(r.shell("git push origin :refs/tags/personal-data/v2"));
  CHECK(err.find("deleting it is refused") != std::string::npos);
  CHECK(r.remoteTags() == before);
  testing::sh("git config receive.denyDeletes true && mv hooks/pre-receive hooks/off",
              r.box / "var/policies.git");
  REQUIRE(r.shell("git push -q origin main:other").status == 0);
  err = refused(r.shell("git push origin :other"));
  CHECK(err.find("denying ref deletion for refs/heads/other") != std::string::npos);
  testing::sh("mv hooks/off hooks/pre-receive", r.box / "var/policies.git");
  auto inForce = object(r.charta({"--json", "in-force", "personal-data"}).out);
  CHECK(inForce->getValue<std::string>("edition") == "v2");
}

TEST_CASE("a forged edition pushed with git is refused, one line per refused ref") {
  Record r;
  r.commitEdit("Новый абзац.");
  const core::Instant now = core::now();
  const core::Instant second = core::fromUnixSeconds(core::toUnixSeconds(now));

  // Issue 13: Effective-From months before its tagger time.
  forgeTag(r, "personal-data/v2",
           "Publish personal-data v2\n\nEffective-From: 2026-06-01T00:00:00+05:00\nMaterial: no\n",
           now);
  std::string err = refused(r.shell("git push origin personal-data/v2"));
  CHECK(err.find("remote: charta: refs/tags/personal-data/v2: not an edition: effective-from "
                 "2026-06-01T00:00:00+05:00 is before the moment of publication") !=
        std::string::npos);
  testing::sh("git tag -d personal-data/v2", r.box / "wt");

  // A tagger time a month back, Effective-From the same: backdated as a whole, behind v1.
  const core::Instant monthAgo = second - hours{24 * 30};
  forgeTag(r, "personal-data/v2", editionMessage(2, monthAgo, monthAgo), monthAgo);
  err = refused(r.shell("git push origin personal-data/v2"));
  CHECK(err.find("refs/tags/personal-data/v2: not an edition: it was published at " + at(monthAgo) +
                 ", before v1") != std::string::npos);
  testing::sh("git tag -d personal-data/v2", r.box / "wt");
  // Dated an hour ahead: what it says is not when the server got it, either way.
  const core::Instant hourAhead = second + hours{1};
  forgeTag(r, "personal-data/v2", editionMessage(2, hourAhead, hourAhead), hourAhead);
  err = refused(r.shell("git push origin personal-data/v2"));
  CHECK(err.find("refs/tags/personal-data/v2: it says it was published at " + at(hourAhead) +
                 " but reached the server at") != std::string::npos);
  testing::sh("git tag -d personal-data/v2", r.box / "wt");

  // Well formed and timely, but not the next number; a lightweight tag; both in one push, with
  // a branch that goes through on its own merits but not without them (a push is all or none).
  const core::Instant next = second + seconds{1};  // after v1's moment, within the clock skew
  forgeTag(r, "personal-data/v3", editionMessage(3, next, next), next);
  testing::sh("git tag personal-data/v2 HEAD", r.box / "wt");
  err = refused(r.shell("git push origin personal-data/v2 personal-data/v3"));
  CHECK(err.find("remote: charta: refs/tags/personal-data/v2: not an edition: a lightweight "
                 "tag: charta writes annotated tags") != std::string::npos);
  CHECK(err.find("remote: charta: refs/tags/personal-data/v3: the next edition of "
                 "personal-data is v2, not v3") != std::string::npos);
  CHECK(occurrences(err, "remote: charta: ") == 2);
  CHECK(r.remoteTags().find("personal-data/v2") == std::string::npos);
  CHECK(r.remoteTags().find("personal-data/v3") == std::string::npos);
}

TEST_CASE(
    "what charta writes in a clone and pushes at once goes through: an edition, a withdrawal") {
  Record r;
  r.commitEdit("Новый абзац.");
  // Scheduled an hour ahead, published with charta in the clone, pushed within the clock skew:
  // the hook reads the tag from the push's quarantine and lets it through.
  const std::string effective = at(core::now() + hours{1});
  RunResult p =
      r.charta({"--repo", "wt", "publish", "personal-data", "--effective-from", effective});
  REQUIRE_MESSAGE(p.status == 0, p.err);
  RunResult push = r.shell("git push origin personal-data/v2");
  REQUIRE_MESSAGE(push.status == 0, push.err);
  auto v2 = object(r.charta({"--json", "in-force", "personal-data"}).out);
  CHECK(v2->getArray("upcoming")->getObject(0)->getValue<std::string>("effective_from") ==
        effective);

  RunResult w = r.charta({"--repo", "wt", "withdraw", "personal-data", "v2", "--reason", "Ошибка"});
  REQUIRE_MESSAGE(w.status == 0, w.err);
  push = r.shell("git push origin personal-data/withdrawn/v2");
  REQUIRE_MESSAGE(push.status == 0, push.err);
  auto editions = Poco::JSON::Parser()
                      .parse(r.charta({"--json", "editions", "personal-data"}).out)
                      .extract<Poco::JSON::Array::Ptr>();
  CHECK(editions->getObject(1)->getValue<std::string>("status") == "withdrawn");
  // Pushed again later, the same tags are no change: nothing to refuse.
  push = r.shell("git push origin --tags");
  CHECK_MESSAGE(push.status == 0, push.err);
}

TEST_CASE("a withdrawal pushed with git: never of an edition in force, never at the last moment") {
  Record r;
  // v1 is in force: its withdrawal is refused, however well formed.
  testing::sh("git fetch -q origin 'refs/tags/*:refs/tags/*'", r.box / "wt");
  const core::Instant now = core::now();
  forgeTag(r, "personal-data/withdrawn/v1",
           "Withdraw personal-data v1\n\nReason: mistake\nWithdrawn-At: " + at(now) + "\n", now,
           "personal-data/v1");
  std::string err = refused(r.shell("git push origin personal-data/withdrawn/v1"));
  CHECK(err.find("refs/tags/personal-data/withdrawn/v1: not a withdrawal: it was made at") !=
        std::string::npos);
  CHECK(err.find("an edition that has taken effect cannot be withdrawn") != std::string::npos);
  testing::sh("git tag -d personal-data/withdrawn/v1", r.box / "wt");

  // v2 takes effect 30 s after the push, within publishing.clock_skew_s (60 s here): too close
  // for a withdrawal by git (the server may switch between the hook's check and the refs);
  // charta withdraw on the server has no such margin.
  REQUIRE(r.charta({"--repo", r.bare(), "-D", "publishing.clock_skew_s=60", "protect"}).status ==
          0);
  r.commitEdit("Новый абзац.");
  const std::string soon = at(core::now() + seconds{30});
  REQUIRE(r.charta({"--repo", "wt", "publish", "personal-data", "--effective-from", soon}).status ==
          0);
  REQUIRE(r.shell("git push origin personal-data/v2").status == 0);
  REQUIRE(r.charta({"--repo", "wt", "withdraw", "personal-data", "v2", "--reason", "x"}).status ==
          0);
  err = refused(r.shell("git push origin personal-data/withdrawn/v2"));
  CHECK(err.find("less than 60 s after this push: withdraw it with charta on the server") !=
        std::string::npos);
}

TEST_CASE("refs/charta/* only moves forward") {
  Record r;
  testing::sh(
      "git checkout -q --orphan anchors && git rm -rqf . && echo 1 > anchor.json && "
      "git add anchor.json && git commit -qm a1",
      r.box / "wt");
  REQUIRE(r.shell("git push origin anchors:refs/charta/anchors").status == 0);
  testing::sh("echo 2 > anchor.json && git commit -qam a2", r.box / "wt");
  RunResult forward = r.shell("git push origin anchors:refs/charta/anchors");
  CHECK_MESSAGE(forward.status == 0, forward.err);
  testing::sh("git reset -q --hard HEAD~1 && echo 3 > anchor.json && git commit -qam rewritten",
              r.box / "wt");
  std::string err = refused(r.shell("git push -f origin anchors:refs/charta/anchors"));
  CHECK(err.find("remote: charta: refs/charta/anchors: moving it is refused: not a "
                 "fast-forward") != std::string::npos);
  testing::sh("git config receive.denyDeletes false", r.box / "var/policies.git");
  err = refused(r.shell("git push origin :refs/charta/anchors"));
  CHECK(err.find("refs/charta/anchors: deleting it is refused") != std::string::npos);
}

TEST_CASE("protect: a hook that was there is kept and chained; protect again changes nothing") {
  Sandbox box;
  // A repository adopted from elsewhere, with a pre-receive hook of its own that records what it
  // gets and refuses a branch of its own choosing.
  testing::sh(
      "git init -q --bare -b main adopted.git && git clone -q file://$PWD/adopted.git wt "
      "&& cp -r " +
          (testing::sourceDir() / "policies").string() +
          "/. wt/ && cd wt && git add -A && git commit -qm import && git push -q origin "
          "main",
      box.path());
  const std::string foreign =
      "#!/bin/sh\ncat >> \"$(dirname \"$0\")/../received.log\"\n"
      "grep -q refs/heads/blocked \"$(dirname \"$0\")/../received.log\" && "
      "{ echo 'site policy: no branch blocked' >&2; exit 1; }\nexit 0\n";
  testing::writeFile(box / "adopted.git/hooks/pre-receive", foreign);
  testing::sh("chmod +x adopted.git/hooks/pre-receive", box.path());

  auto charta = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {testing::chartaBinary(), "--repo", "adopted.git"});
    return testing::run(args, box.path(), testing::gitEnv());
  };
  RunResult p = charta({"protect"});
  REQUIRE_MESSAGE(p.status == 0, p.err);
  CHECK(p.out.find("kept the pre-receive hook that was there as") != std::string::npos);
  CHECK(testing::slurp(box / "adopted.git/hooks/pre-receive.chained") == foreign);
  const std::string ours = testing::slurp(box / "adopted.git/hooks/pre-receive");
  CHECK(ours.find("# charta pre-receive hook") != std::string::npos);
  // Again: the same hook, still chaining to the foreign one, never to itself.
  p = charta({"protect"});
  REQUIRE_MESSAGE(p.status == 0, p.err);
  CHECK(p.out.find("kept") == std::string::npos);
  CHECK(testing::slurp(box / "adopted.git/hooks/pre-receive") == ours);
  CHECK(testing::slurp(box / "adopted.git/hooks/pre-receive.chained") == foreign);
  REQUIRE(charta({"init"}).status == 0);  // publishes v1 of the adopted texts

  // Both hooks judge every push, with the same input.
  auto git = [&](const std::string& script) {
    return testing::run({"sh", "-c", script}, box / "wt", testing::gitEnv());
  };
  RunResult push =
      git("echo more >> README.md; git add -A && git commit -qm more && "
          "git push origin main");
  CHECK_MESSAGE(push.status == 0, push.err);
  CHECK(testing::slurp(box / "adopted.git/received.log").find(" refs/heads/main") !=
        std::string::npos);
  push = git("git push origin main:refs/heads/blocked");
  CHECK(push.status != 0);
  CHECK(push.err.find("site policy: no branch blocked") != std::string::npos);
  testing::sh("git fetch -q origin 'refs/tags/*:refs/tags/*'", box / "wt");
  testing::sh("git config receive.denyDeletes false", box / "adopted.git");
  push = git("git push origin :refs/tags/personal-data/v1");
  CHECK(push.status != 0);
  CHECK(push.err.find("charta: refs/tags/personal-data/v1: deleting it is refused") !=
        std::string::npos);

  // A foreign hook where charta's was, with pre-receive.chained taken: nothing is overwritten.
  testing::writeFile(box / "adopted.git/hooks/pre-receive", foreign);
  p = charta({"protect"});
  CHECK(p.status == 2);
  CHECK(p.err.find("merge them into") != std::string::npos);
  CHECK(testing::slurp(box / "adopted.git/hooks/pre-receive") == foreign);
}
