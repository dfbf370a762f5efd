#include "service/edition_json.h"

#include <Poco/JSON/Array.h>

namespace charta::service {

Poco::JSON::Object::Ptr editionJson(const core::Edition& e, const core::Timeline& timeline,
                                    core::Instant now) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("document", e.doc.str());
  o->set("edition", e.no.str());
  o->set("number", e.no.value());
  o->set("commit", e.commit.str());
  o->set("published_at", core::formatRfc3339(e.publishedAt, e.effectiveOffset, false));
  o->set("effective_from", core::formatRfc3339(e.effectiveFrom, e.effectiveOffset, false));
  o->set("status", std::string(core::statusName(timeline.statusAt(e, now))));
  o->set("material", e.material);
  Poco::JSON::Array::Ptr renew = new Poco::JSON::Array;
  for (const auto& p : e.renewPurposes) renew->add(p.str());
  o->set("renew_purposes", renew);
  o->set("summary", e.summary);
  Poco::JSON::Object::Ptr publisher = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  publisher->set("name", e.publisher.name);
  publisher->set("email", e.publisher.email);
  o->set("publisher", publisher);
  if (e.forcedReason) o->set("forced", *e.forcedReason);
  if (e.withdrawal) {
    Poco::JSON::Object::Ptr w = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    w->set("at", core::formatRfc3339(e.withdrawal->at, e.effectiveOffset, false));
    w->set("by", e.withdrawal->by.name);
    w->set("reason", e.withdrawal->reason);
    o->set("withdrawal", w);
  } else {
    o->set("withdrawal", Poco::Dynamic::Var());
  }
  return o;
}

}  // namespace charta::service
