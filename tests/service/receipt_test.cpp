#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "ledger/chain.h"
#include "ledger/fixtures.h"
#include "service/views.h"

using namespace charta;
using namespace charta::ledger;
using charta::service::receipt;
using charta::service::ReceiptOptions;
using charta::service::subjectExport;
using charta::service::toJsonText;

namespace {

Event sampleEvent() {
  NewEvent e = charta::ledger::testing::request("u-1842", {"marketing", "advertising"});
  Event ev{e,
           "3f0c2b9e-8a4d-4c1e-9b7a-5d6e7f809112",
           7,
           *core::parseRfc3339("2026-03-05T09:00:00.250+05:00"),
           std::string(64, 'd'),
           std::string(64, '1'),
           "",
           "",
           std::nullopt,
           std::nullopt,
           std::nullopt,
           false};
  ev.hash = chainHash(chainFields(ev));
  return ev;
}

}  // namespace

TEST_CASE("a receipt uses ISO/IEC TS 27560 names and carries the chain") {
  Event e = sampleEvent();
  ReceiptOptions options;
  options.noticeUrl = [](const Event& ev) {
    return "https://shop.kz/" + ev.doc.str() + "/" + ev.edition.str();
  };
  std::string text = toJsonText(receipt(e, options));
  auto r = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  CHECK(text.find("\"receipt_version\"") < text.find("\"record_id\""));  // key order kept
  CHECK(r->getValue<std::string>("record_id") == e.id);
  CHECK(r->getValue<std::string>("pii_principal_id") == "u-1842");
  auto notice = r->getObject("privacy_notice");
  REQUIRE(notice);
  CHECK(notice->getValue<std::string>("url") == "https://shop.kz/personal-data/v1");
  CHECK(notice->getValue<std::string>("document") == "personal-data");
  CHECK(notice->getValue<int>("edition") == 1);
  CHECK(notice->getValue<std::string>("commit") == std::string(40, 'c'));
  CHECK(notice->getValue<std::string>("text_sha256") == std::string(64, 'a'));
  CHECK(notice->getValue<std::string>("page_sha256") == std::string(64, 'b'));
  CHECK(notice->getValue<std::string>("language") == "ru");
  auto purposes = r->getArray("purposes");
  REQUIRE(purposes);
  CHECK(purposes->size() == 2);
  CHECK(r->getValue<std::string>("event_type") == "given");
  CHECK(r->getValue<std::string>("event_time") == "2026-03-05T09:00:00.250+05:00");
  CHECK(r->getValue<std::string>("collection_method") == "web-form");
  CHECK(r->getValue<std::string>("form_id") == "checkout");
  CHECK(r->getValue<std::string>("jurisdiction") == "KZ");
  CHECK(r->getObject("evidence")->getValue<std::string>("ip") == "203.0.113.7");
  auto chain = r->getObject("chain");
  REQUIRE(chain);
  CHECK(chain->getValue<Poco::Int64>("seq") == 7);
  CHECK(chain->getValue<std::string>("hash") == e.hash);
  CHECK(chain->getValue<std::string>("prev_hash") == e.prevHash);
  CHECK(chain->getValue<std::string>("hash_format") == "charta-event/2");
}

TEST_CASE("optional fields are omitted, not null") {
  Event e = sampleEvent();
  e.pageSha256.reset();
  e.formId.reset();
  e.evidence.reset();
  std::string text = toJsonText(receipt(e));
  CHECK(text.find("page_sha256") == std::string::npos);
  CHECK(text.find("form_id") == std::string::npos);
  CHECK(text.find("evidence") == std::string::npos);
  CHECK(text.find("\"url\"") == std::string::npos);
  CHECK(text.find("null") == std::string::npos);
}

TEST_CASE("a subject export lists every event's receipt") {
  Event a = sampleEvent(), b = sampleEvent();
  b.id = "5b1f0000-0000-4000-8000-000000000001";
  b.type = EventType::kWithdrawn;
  auto x = subjectExport("u-1842", {a, b}, *core::parseRfc3339("2026-04-01T00:00:00Z"));
  auto parsed = Poco::JSON::Parser().parse(toJsonText(x)).extract<Poco::JSON::Object::Ptr>();
  CHECK(parsed->getValue<std::string>("pii_principal_id") == "u-1842");
  CHECK(parsed->getValue<std::string>("exported_at") == "2026-04-01T05:00:00+05:00");
  auto events = parsed->getArray("events");
  REQUIRE(events);
  REQUIRE(events->size() == 2);
  CHECK(events->getObject(1)->getValue<std::string>("event_type") == "withdrawn");
  // Non-ASCII subjects stay readable UTF-8.
  CHECK(toJsonText(subjectExport("пользователь", {}, core::now())).find("пользователь") !=
        std::string::npos);
}
