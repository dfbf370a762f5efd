#pragma once

// The words of the public pages: Russian for "ru", English for every other language. Internal to
// charta_render.

#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/timeline.h"

namespace charta::render::detail {

// The words and sentence patterns of the pages in one language.
struct Strings {
  std::string_view skip;
  std::string_view langNav;
  std::string_view editionsNav;
  std::string_view edition;       // "Редакция": a label, a table heading
  std::string_view editionLower;  // "редакция": inside a sentence
  std::string_view inForceSince;
  std::string_view takesEffect;
  std::string_view tookEffect;
  std::string_view wasToTakeEffect;
  std::string_view published;
  std::string_view withdrawnAt;
  std::string_view changes;
  std::string_view allEditions;
  std::string_view previous;
  std::string_view toc;
  std::string_view feed;
  std::string_view status;  // the archive's columns
  std::string_view effective;
  std::string_view statusInForce;
  std::string_view statusUpcoming;
  std::string_view statusSuperseded;
  std::string_view statusWithdrawn;
  // Sentences: {T} a moment, {L} a link to an edition, {R} a reason, {N} a number.
  std::string_view noticeUpcoming;
  std::string_view noticeCurrentIs;
  std::string_view noticeSuperseded;
  std::string_view noticeSupersededNoCurrent;
  std::string_view noticeWithdrawn;
  std::string_view noticeReason;
  std::string_view noticeNext;
  std::string_view archiveWithdrawn;
  std::string_view feedTitle;  // {R}: the document title
  std::string_view feedEffective;
  std::string_view error;
  const char* const* months;
  std::string_view changesSince;  // {N}: the previous edition's number
  std::string_view changesIn;     // {N}: the edition's number (archive)
  std::string_view changesTitle;  // {A} {B}: "редакция 1", "редакция 2"
  std::string_view changesLead;   // {A} {B}: links to the editions
  std::string_view approvedBy;    // {P}: who approved the revision (archive)
  std::string_view imported;      // an edition of the history before charta (archive, feed)
};

// True when "lang" is Russian (its primary subtag is "ru", in any case): the pages speak it.
bool isRussian(const core::Lang& lang);

// The words of the pages in "lang".
const Strings& stringsFor(const core::Lang& lang);

// The name of a language in that language, for the language switch.
std::string languageName(const core::Lang& lang);

// The class of an edition's status ("in-force", "upcoming", ...), and its words in "s".
const char* statusClass(core::EditionStatus s);
std::string_view statusWord(const Strings& s, core::EditionStatus st);

// "редакция 3": "word" and the number.
std::string editionLabel(std::string_view word, core::EditionNo no);

}  // namespace charta::render::detail
