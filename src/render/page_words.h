#pragma once

// The words of the public pages in each language of the catalogue. Internal to charta_render.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/timeline.h"

namespace charta::render::detail {

// The words of the changes page (render/redline.cpp).
struct RedlineWords {
  std::string_view summary;
  std::string_view changes;
  std::string_view noChanges;
  std::string_view changedN;
  std::string_view addedN;
  std::string_view removedN;
  std::string_view movedN;
  std::string_view splitN;
  std::string_view mergedN;
  std::string_view unchangedN;
  std::string_view purposes;
  std::string_view clause;
  std::string_view section;
  std::string_view preamble;
  std::string_view heading;
  std::string_view changed;
  std::string_view added;
  std::string_view removed;
  std::string_view movedFrom;        // {N}: the old number
  std::string_view movedAndChanged;  // {N}
  std::string_view splitFrom;        // {N}
  std::string_view mergedInto;       // {N}
  std::string_view inEdition;        // {E}: "редакция 1", {N}: number
  std::string_view noText;
  std::string_view navLabel;
  std::string_view purposeOf;
};

// The words and sentence patterns of the pages in one language, from the catalogue
// (render/catalogue.h; a key a language lacks is taken from English).
struct Strings {
  std::string_view languageName;  // the language's own name: "Қазақша"
  std::string_view skip;
  std::string_view langNav;
  std::string_view editionsNav;
  std::string_view edition;        // "Редакция": a label, a table heading
  std::string_view editionN;       // {N}: "Редакция 3", "3-редакция"
  std::string_view editionLowerN;  // {N}: inside a sentence: "редакция 3"
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
  std::string_view archivePages;   // the label of the archive's page links
  std::string_view archiveNewer;   // a link to the page of newer editions
  std::string_view archiveOlder;   // a link to the page of older editions
  std::string_view archivePageOf;  // {N} of {M}: "Page 2 of 7"
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
  std::string_view noticeControlling;  // {L}: a link to the text in the controlling language
  std::string_view noticePreview;
  std::string_view archiveWithdrawn;
  std::string_view feedTitle;  // {R}: the document title
  std::string_view feedEffective;
  std::string_view error;
  std::string_view changesSince;  // {N}: the previous edition's number
  std::string_view changesIn;     // {N}: the edition's number (archive)
  std::string_view changesTitle;  // {A} {B}: "редакция 1", "редакция 2"
  std::string_view changesLead;   // {A} {B}: links to the editions
  std::string_view approvedBy;    // {P}: who approved the revision (archive)
  std::string_view imported;      // an edition of the history before charta (archive, feed)
  // {D} day, {M} month name, {Y} year, {H} "00:00", {Z} "UTC+05:00"
  std::string_view moment;
  std::array<std::string_view, 12> months{};
  RedlineWords redline{};
};

struct Catalogue;

// The words of "lang", a key it lacks taken from "fallback" (either may be nullptr).
Strings stringsFrom(const Catalogue* lang, const Catalogue* fallback);

// Every key of the catalogue the pages look up.
std::vector<std::string_view> catalogueKeys();

// The words of the pages in "lang" (by its primary subtag, in any case): English for a
// language the catalogue does not have.
const Strings& stringsFor(const core::Lang& lang);

// The name of a language in that language, for the language switch.
std::string languageName(const core::Lang& lang);

// The class of an edition's status ("in-force", "upcoming", ...), and its words in "s".
const char* statusClass(core::EditionStatus s);
std::string_view statusWord(const Strings& s, core::EditionStatus st);

// "редакция 3": "pattern" ({N}) with the number.
std::string editionLabel(std::string_view pattern, core::EditionNo no);

}  // namespace charta::render::detail
