// The moment of an edition, to the millisecond, against the real server (issue 12, item 5):
// published_at and effective_from keep their milliseconds end to end; two editions for the same
// instant name only the one that takes effect; a withdrawal racing an edition's moment tells one
// story — accepted only strictly before it, and then nothing treats the edition as in force: no
// page, no consent, no edition.effective webhook.

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "api/webhook_receiver.h"
#include "record/record_support.h"

using namespace charta;
using namespace charta::recordtest;
using namespace std::chrono;

namespace {

// A server over a Record with tokens and, when "webhooks" is given, a subscription to it.
std::vector<std::string> serverDefs(const apitest::WebhookReceiver* webhooks = nullptr) {
  std::vector<std::string> defs{tokens()};
  if (webhooks) {
    defs.push_back("webhooks.shop.url=http://127.0.0.1:" + std::to_string(webhooks->port()) +
                   "/events");
    defs.push_back("webhooks.shop.secret=a-secret-of-sixteen-bytes");
    defs.push_back("webhooks.poll_ms=50");
  }
  return defs;
}

std::map<std::string, std::string> writeHeaders(const char* token) {
  auto h = bearer(token);
  h["Content-Type"] = "application/json";
  return h;
}

testing::HttpResponse current(const ServerProcess& s) {
  return testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current");
}

// POST …/publications with If-Match of current; "effective" empty: at once.
testing::HttpResponse publish(const ServerProcess& s, const std::string& effective = "") {
  auto h = writeHeaders(kLegalToken);
  h["If-Match"] = current(s).header("etag");
  return testing::http(s.port(), "POST", "/api/v1/documents/personal-data/publications", h,
                       effective.empty() ? "{}" : "{\"effective_from\":\"" + effective + "\"}");
}

testing::HttpResponse consent(const ServerProcess& s, const std::string& edition,
                              const std::string& subject) {
  return testing::http(s.port(), "POST", "/api/v1/consents", writeHeaders(kSiteToken),
                       "{\"subject\":\"" + subject +
                           "\",\"document\":\"personal-data\",\"edition\":\"" + edition +
                           "\",\"language\":\"ru\",\"purposes\":[\"marketing\"],"
                           "\"collection_method\":\"web-form\"}");
}

core::Instant instant(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  auto t = core::parseRfc3339(o->getValue<std::string>(key));
  REQUIRE(t);
  return *t;
}

void sleepUntil(core::Instant t) { std::this_thread::sleep_until(system_clock::time_point(t)); }

// What readers saw around an edition's moment while a withdrawal raced it.
struct Seen {
  std::mutex mu;
  std::set<std::string> currentEditions;  // editions `current` answered with
  int consentsRecorded = 0;               // consents citing the raced edition answered 201
};

// Reads `current` and records consents citing "edition" until "until", from two threads.
std::vector<std::thread> readersAround(const ServerProcess& s, const std::string& edition,
                                       core::Instant until, Seen& seen) {
  std::vector<std::thread> threads;
  threads.emplace_back([&s, until, &seen] {
    while (core::now() < until) {
      auto c = current(s);
      if (c.status != 200) continue;
      std::lock_guard lock(seen.mu);
      seen.currentEditions.insert(object(c.body)->getValue<std::string>("edition"));
    }
  });
  threads.emplace_back([&s, edition, until, &seen] {
    for (int i = 0; core::now() < until; ++i) {
      auto c = consent(s, edition, "racer-" + std::to_string(i));
      std::lock_guard lock(seen.mu);
      if (c.status == 201) ++seen.consentsRecorded;
    }
  });
  return threads;
}

// The story the server told about edition "raced", withdrawn ("accepted") or not; "before" is
// the edition in force before its moment.
void oneStory(bool accepted, Seen& seen, const ServerProcess& s, apitest::WebhookReceiver& hooks,
              const std::string& raced, const std::string& before) {
  MESSAGE("the withdrawal racing the moment was "
          << std::string(accepted ? "accepted" : "refused"));
  if (!accepted) {
    REQUIRE(eventually(
        [&] { return object(current(s).body)->getValue<std::string>("edition") == raced; }));
    return;
  }
  CHECK(seen.currentEditions.count(raced) == 0);
  CHECK(seen.consentsRecorded == 0);
  CHECK(object(current(s).body)->getValue<std::string>("edition") == before);
  // edition.withdrawn reaches the receiver; edition.effective of the raced edition never does.
  auto got = hooks.waitFor(
      [](const std::vector<apitest::Delivery>& d) {
        for (const auto& x : d) {
          if (x.header("charta-event-type") == "edition.withdrawn") return true;
        }
        return false;
      },
      seconds(10));
  for (const auto& d : got) {
    const bool ofRaced = d.body.find("\"edition\":\"" + raced + "\"") != std::string::npos;
    CHECK_FALSE((ofRaced && d.header("charta-event-type") == "edition.effective"));
  }
}

}  // namespace

TEST_CASE("milliseconds end to end: an edition is never before its request; a past moment fails") {
  Record r;
  ServerProcess server(r.box.path(), serverDefs());
  r.commitEdit("Новый абзац.");
  const core::Instant sent = core::now();
  auto answer = publish(server);
  REQUIRE_MESSAGE(answer.status == 201, answer.body);
  auto v2 = object(answer.body);
  // Issue 12: effective_from came back up to 999 ms before the request was sent.
  CHECK(instant(v2, "effective_from") >= sent);
  CHECK(instant(v2, "published_at") == instant(v2, "effective_from"));
  const core::Instant moment = instant(v2, "effective_from");
  // ?at= in UTC ("Z"), so that no "+" needs escaping.
  auto currentAt = [&](core::Instant t) {
    return testing::http(server.port(), "GET",
                         "/api/v1/documents/personal-data/current?at=" + core::formatRfc3339(t));
  };
  CHECK(object(currentAt(moment - milliseconds{1}).body)->getValue<std::string>("edition") == "v1");
  CHECK(object(currentAt(moment).body)->getValue<std::string>("edition") == "v2");

  // A moment 400 ms in the past: refused, whatever its size.
  r.commitEdit("Ещё абзац.");
  auto late = publish(server, at(core::now() - milliseconds{400}));
  CHECK(late.status == 422);
  CHECK(object(late.body)->getValue<std::string>("detail").find(
            "is before the moment of publication") != std::string::npos);
}

TEST_CASE(
    "two editions for the same instant: the higher takes effect; the lower is cited by none") {
  Record r;
  ServerProcess server(r.box.path(), serverDefs());
  // Far enough ahead that both publications and the reads before the moment are done by then,
  // under a sanitizer on a loaded machine too.
  const std::string moment = at(core::now() + seconds{5});
  r.commitEdit("Новый абзац.");
  REQUIRE(publish(server, moment).status == 201);  // v2
  r.commitEdit("Ещё абзац.");
  REQUIRE(publish(server, moment).status == 201);  // v3, the same instant

  // current.upcoming names the edition that will take effect.
  auto before = object(current(server).body);
  CHECK(before->getObject("upcoming")->getValue<std::string>("edition") == "v3");
  auto refused = consent(server, "v2", "subject-before");
  CHECK(refused.status == 422);
  auto problem = object(refused.body);
  CHECK(problem->getValue<std::string>("edition_status") == "withdrawn");
  CHECK(problem->getValue<std::string>("detail") ==
        "personal-data v2 never takes effect: v3, published later for the same moment, takes "
        "effect instead.");

  REQUIRE(eventually(
      [&] { return object(current(server).body)->getValue<std::string>("edition") == "v3"; },
      seconds{20}));
  CHECK(consent(server, "v2", "subject-after").status == 422);
  CHECK(consent(server, "v3", "subject-after").status == 201);
  auto v2 = object(
      testing::http(server.port(), "GET", "/api/v1/documents/personal-data/editions/v2").body);
  CHECK(v2->getValue<std::string>("status") == "withdrawn");
}

TEST_CASE("a withdrawal over the API racing the moment: accepted only before it, one story") {
  Record r;
  apitest::WebhookReceiver hooks;
  ServerProcess server(r.box.path(), serverDefs(&hooks));
  // Just after the moment: refused, to the millisecond.
  r.commitEdit("Новый абзац.");
  auto v2 = object(publish(server, at(core::now() + milliseconds{1500})).body);
  const core::Instant moment = instant(v2, "effective_from");
  sleepUntil(moment + milliseconds{3});
  auto late =
      testing::http(server.port(), "POST", "/api/v1/documents/personal-data/editions/v2/withdrawal",
                    writeHeaders(kLegalToken), "{\"reason\":\"too late\"}");
  CHECK(late.status == 422);

  // A few milliseconds before the next one, while pages and consents are read all around it.
  r.commitEdit("Ещё абзац.");
  auto v3 = object(publish(server, at(core::now() + milliseconds{1500})).body);
  REQUIRE(v3->getValue<std::string>("edition") == "v3");
  const core::Instant next = instant(v3, "effective_from");
  Seen seen;
  auto readers = readersAround(server, "v3", next + milliseconds{400}, seen);
  sleepUntil(next - milliseconds{4});
  auto w =
      testing::http(server.port(), "POST", "/api/v1/documents/personal-data/editions/v3/withdrawal",
                    writeHeaders(kLegalToken), "{\"reason\":\"raced\"}");
  for (auto& t : readers) t.join();
  REQUIRE((w.status == 200 || w.status == 422));
  oneStory(w.status == 200, seen, server, hooks, "v3", "v2");
}

TEST_CASE("the CLI withdrawing while the server runs: accepted only before the moment, one story") {
  Record r;
  apitest::WebhookReceiver hooks;
  ServerProcess server(r.box.path(), serverDefs(&hooks));
  REQUIRE(eventually([&] { return current(server).status == 200; }));
  r.commitEdit("Новый абзац.");
  auto v2 = object(publish(server, at(core::now() + milliseconds{1500})).body);
  const core::Instant moment = instant(v2, "effective_from");
  Seen seen;
  // The readers use v2's own name, as a shop that saw it announced would.
  auto readers = readersAround(server, "v2", moment + milliseconds{400}, seen);
  sleepUntil(moment - milliseconds{35});  // the CLI starts, opens the repository, then decides
  RunResult w = r.charta({"withdraw", "personal-data", "v2", "--reason", "raced"});
  for (auto& t : readers) t.join();
  REQUIRE((w.status == 0 || w.status == 2));
  oneStory(w.status == 0, seen, server, hooks, "v2", "v1");
}
