#include "render/page_words.h"

#include <chrono>
#include <cstdio>
#include <map>

#include "core/time.h"
#include "core/words.h"
#include "render/catalogue.h"
#include "render/page.h"
#include "render/site.h"

namespace charta::render {
namespace detail {
namespace {

using Field = std::string_view Strings::*;
using RedlineField = std::string_view RedlineWords::*;

constexpr std::pair<std::string_view, Field> kFields[] = {
    {"language.name", &Strings::languageName},
    {"skip", &Strings::skip},
    {"nav.language", &Strings::langNav},
    {"nav.editions", &Strings::editionsNav},
    {"edition", &Strings::edition},
    {"edition.numbered", &Strings::editionN},
    {"edition.numbered-lower", &Strings::editionLowerN},
    {"edition.in-force-since", &Strings::inForceSince},
    {"edition.takes-effect", &Strings::takesEffect},
    {"edition.took-effect", &Strings::tookEffect},
    {"edition.was-to-take-effect", &Strings::wasToTakeEffect},
    {"edition.published", &Strings::published},
    {"edition.withdrawn-at", &Strings::withdrawnAt},
    {"edition.changes", &Strings::changes},
    {"edition.all", &Strings::allEditions},
    {"edition.previous", &Strings::previous},
    {"edition.toc", &Strings::toc},
    {"edition.changes-since", &Strings::changesSince},
    {"feed.link", &Strings::feed},
    {"feed.title", &Strings::feedTitle},
    {"feed.effective", &Strings::feedEffective},
    {"archive.status", &Strings::status},
    {"archive.effective", &Strings::effective},
    {"archive.withdrawn", &Strings::archiveWithdrawn},
    {"archive.changes-in", &Strings::changesIn},
    {"archive.approved-by", &Strings::approvedBy},
    {"archive.imported", &Strings::imported},
    {"archive.pages", &Strings::archivePages},
    {"archive.newer", &Strings::archiveNewer},
    {"archive.older", &Strings::archiveOlder},
    {"archive.page-of", &Strings::archivePageOf},
    {"status.in-force", &Strings::statusInForce},
    {"status.upcoming", &Strings::statusUpcoming},
    {"status.superseded", &Strings::statusSuperseded},
    {"status.withdrawn", &Strings::statusWithdrawn},
    {"notice.upcoming", &Strings::noticeUpcoming},
    {"notice.current-is", &Strings::noticeCurrentIs},
    {"notice.superseded", &Strings::noticeSuperseded},
    {"notice.superseded-no-current", &Strings::noticeSupersededNoCurrent},
    {"notice.withdrawn", &Strings::noticeWithdrawn},
    {"notice.reason", &Strings::noticeReason},
    {"notice.next", &Strings::noticeNext},
    {"notice.controlling", &Strings::noticeControlling},
    {"notice.preview", &Strings::noticePreview},
    {"error", &Strings::error},
    {"changes.title", &Strings::changesTitle},
    {"changes.lead", &Strings::changesLead},
    {"moment", &Strings::moment},
};

constexpr std::pair<std::string_view, RedlineField> kRedlineFields[] = {
    {"redline.summary", &RedlineWords::summary},
    {"redline.changes", &RedlineWords::changes},
    {"redline.no-changes", &RedlineWords::noChanges},
    {"redline.changed-n", &RedlineWords::changedN},
    {"redline.added-n", &RedlineWords::addedN},
    {"redline.removed-n", &RedlineWords::removedN},
    {"redline.moved-n", &RedlineWords::movedN},
    {"redline.split-n", &RedlineWords::splitN},
    {"redline.merged-n", &RedlineWords::mergedN},
    {"redline.unchanged-n", &RedlineWords::unchangedN},
    {"redline.purposes", &RedlineWords::purposes},
    {"redline.clause", &RedlineWords::clause},
    {"redline.section", &RedlineWords::section},
    {"redline.preamble", &RedlineWords::preamble},
    {"redline.heading", &RedlineWords::heading},
    {"redline.changed", &RedlineWords::changed},
    {"redline.added", &RedlineWords::added},
    {"redline.removed", &RedlineWords::removed},
    {"redline.moved-from", &RedlineWords::movedFrom},
    {"redline.moved-and-changed", &RedlineWords::movedAndChanged},
    {"redline.split-from", &RedlineWords::splitFrom},
    {"redline.merged-into", &RedlineWords::mergedInto},
    {"redline.in-edition", &RedlineWords::inEdition},
    {"redline.no-text", &RedlineWords::noText},
    {"redline.nav", &RedlineWords::navLabel},
    {"redline.purpose-of", &RedlineWords::purposeOf},
};

// The error pages' titles and details (api/site.cpp, api/handler.cpp through Pages::error).
constexpr std::string_view kErrorKeys[] = {"error.400",
                                           "error.404",
                                           "error.405",
                                           "error.500",
                                           "error.503",
                                           "error.not-in-force",
                                           "error.bad-escape",
                                           "error.no-page",
                                           "error.no-file",
                                           "error.no-edition",
                                           "error.bad-lang",
                                           "error.no-translation",
                                           "error.no-edition-in-force",
                                           "error.read-only",
                                           "error.try-later"};

std::string monthKey(int m) { return "month." + std::to_string(m); }

// The value of "key" in "lang", else in the fallback language (empty when neither has it; the
// catalogue's test makes sure the fallback has every key).
std::string_view lookup(const Catalogue* lang, const Catalogue* fallback, std::string_view key) {
  for (const Catalogue* c : {lang, fallback}) {
    if (!c) continue;
    if (auto it = c->entries.find(key); it != c->entries.end()) return it->second;
  }
  return {};
}

}  // namespace

Strings stringsFrom(const Catalogue* lang, const Catalogue* fallback) {
  Strings s;
  for (const auto& [key, field] : kFields) s.*field = lookup(lang, fallback, key);
  for (const auto& [key, field] : kRedlineFields) s.redline.*field = lookup(lang, fallback, key);
  for (int m = 1; m <= 12; ++m) s.months[m - 1] = lookup(lang, fallback, monthKey(m));
  return s;
}

namespace {

// The words of every language of the catalogue, built once.
const std::map<std::string, Strings, std::less<>>& allStrings() {
  static const auto kAll = [] {
    std::map<std::string, Strings, std::less<>> all;
    const auto& cats = catalogues();
    auto fb = cats.find(kFallbackLang);
    const Catalogue* fallback = fb == cats.end() ? nullptr : &fb->second;
    for (const auto& [lang, c] : cats) all.emplace(lang, stringsFrom(&c, fallback));
    if (!all.count(kFallbackLang))
      all.emplace(std::string(kFallbackLang), stringsFrom(nullptr, nullptr));
    return all;
  }();
  return kAll;
}

// The primary subtag of "lang" in lower case: "en" for "en-GB".
std::string primarySubtag(const core::Lang& lang) {
  const std::string& t = lang.str();
  return core::asciiLower(std::string_view(t).substr(0, t.find('-')));
}

}  // namespace

std::vector<std::string_view> catalogueKeys() {
  static const std::vector<std::string> kMonths = [] {
    std::vector<std::string> v;
    for (int m = 1; m <= 12; ++m) v.push_back(monthKey(m));
    return v;
  }();
  std::vector<std::string_view> keys;
  for (const auto& f : kFields) keys.push_back(f.first);
  for (const auto& f : kRedlineFields) keys.push_back(f.first);
  keys.insert(keys.end(), std::begin(kErrorKeys), std::end(kErrorKeys));
  keys.insert(keys.end(), kMonths.begin(), kMonths.end());
  return keys;
}

const Strings& stringsFor(const core::Lang& lang) {
  const auto& all = allStrings();
  auto it = all.find(primarySubtag(lang));
  return it != all.end() ? it->second : all.find(kFallbackLang)->second;
}

std::string languageName(const core::Lang& lang) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"ru", "Русский"},  {"kk", "Қазақша"},    {"en", "English"},    {"uz", "Oʻzbekcha"},
      {"ky", "Кыргызча"}, {"tr", "Türkçe"},     {"de", "Deutsch"},    {"fr", "Français"},
      {"zh", "中文"},     {"uk", "Українська"}, {"be", "Беларуская"}, {"tg", "Тоҷикӣ"}};
  if (auto own = allStrings().find(primarySubtag(lang)); own != allStrings().end()) {
    return std::string(own->second.languageName);
  }
  auto it = kNames.find(primarySubtag(lang));
  return it == kNames.end() ? lang.str() : it->second;
}

const char* statusClass(core::EditionStatus s) {
  switch (s) {
    case core::EditionStatus::kInForce:
      return "in-force";
    case core::EditionStatus::kUpcoming:
      return "upcoming";
    case core::EditionStatus::kSuperseded:
      return "superseded";
    case core::EditionStatus::kWithdrawn:
      return "withdrawn";
  }
  return "in-force";
}

std::string_view statusWord(const Strings& s, core::EditionStatus st) {
  switch (st) {
    case core::EditionStatus::kInForce:
      return s.statusInForce;
    case core::EditionStatus::kUpcoming:
      return s.statusUpcoming;
    case core::EditionStatus::kSuperseded:
      return s.statusSuperseded;
    case core::EditionStatus::kWithdrawn:
      return s.statusWithdrawn;
  }
  return s.statusInForce;
}

std::string editionLabel(std::string_view pattern, core::EditionNo no) {
  return composeText(pattern, {{'N', std::to_string(no.value())}});
}

}  // namespace detail

std::vector<core::Lang> pageLanguages() {
  std::vector<core::Lang> out;
  for (const auto& [tag, c] : detail::catalogues()) {
    if (auto l = core::Lang::parse(tag)) out.push_back(*l);
  }
  return out;
}

std::string pageString(const core::Lang& lang, std::string_view key) {
  const auto& cats = detail::catalogues();
  auto own = cats.find(detail::primarySubtag(lang));
  auto fb = cats.find(detail::kFallbackLang);
  return std::string(detail::lookup(own == cats.end() ? nullptr : &own->second,
                                    fb == cats.end() ? nullptr : &fb->second, key));
}

std::string formatMoment(core::Instant t, const core::Lang& lang, const core::TimeZone& zone) {
  using namespace std::chrono;
  const detail::Strings& s = detail::stringsFor(lang);
  minutes offset = zone.offsetAt(t);
  auto local = floor<minutes>(t + offset);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<minutes> hm{local - day};
  long off = offset.count();
  char time[16];
  char zoneText[48];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(hm.hours().count()),
                static_cast<int>(hm.minutes().count()));
  std::snprintf(zoneText, sizeof zoneText, "UTC%c%02ld:%02ld", off < 0 ? '-' : '+',
                (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
  return detail::composeText(s.moment,
                             {{'D', std::to_string(static_cast<unsigned>(ymd.day()))},
                              {'M', std::string(s.months[static_cast<unsigned>(ymd.month()) - 1])},
                              {'Y', std::to_string(static_cast<int>(ymd.year()))},
                              {'H', time},
                              {'Z', zoneText}});
}

}  // namespace charta::render
