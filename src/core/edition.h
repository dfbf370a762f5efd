#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace charta::core {

// Who did something in git: a tagger or an author.
struct Person {
  std::string name;
  std::string email;
};

// The withdrawal of a scheduled edition before it took effect. Recorded, never deleted.
struct Withdrawal {
  Instant at;  // to the millisecond (Withdrawn-At within the tagger second, else the tagger time)
  Person by;
  std::string reason;
};

// A published revision of one document. Immutable once published; only a withdrawal can be
// added, and only before effectiveFrom.
struct Edition {
  DocumentId doc;
  EditionNo no;
  CommitId commit;
  Instant publishedAt;    // to the millisecond (Published-At within the tagger second, else the
                          // tagger time)
  Instant effectiveFrom;  // >= publishedAt (no backdating)
  std::chrono::minutes effectiveOffset{kKazakhstanOffset};  // as written in the trailer
  bool material = false;
  std::vector<PurposeId> renewPurposes;
  std::string summary;
  Person publisher;
  std::optional<std::string> forcedReason;  // publication despite lint errors, and why
  std::optional<Withdrawal> withdrawal;
  // Who approved the revision before it was published (the Approved-By trailers), in order.
  std::vector<Person> approvedBy{};
  // An edition of the history before charta (charta import; the trailer "Imported: yes"): its
  // Effective-From is the date the text really took effect, earlier than its publishedAt (the
  // moment of the import), and no edition published by charta comes before it.
  bool imported = false;
  // For an imported edition whose commit predates charta.xml: the commit whose charta.xml
  // declares its document (the trailer "Registry-At"); nullopt: its own commit's.
  std::optional<CommitId> registryAt{};

  bool withdrawnBy(Instant t) const { return withdrawal && withdrawal->at <= t; }
};

// A revision of a document: any commit that changed one of its files (a draft unless published).
struct RevisionInfo {
  CommitId commit;
  Person author;
  Instant time;
  std::string message;             // the whole commit message
  std::chrono::minutes offset{0};  // the author's UTC offset
  std::string subject() const { return message.substr(0, message.find('\n')); }
};

}  // namespace charta::core
