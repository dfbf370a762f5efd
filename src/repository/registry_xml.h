#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/registry.h"

namespace charta::repository {

// Parses charta.xml, the registry of a policy repository:
//
//   <charta version="1" base-url="https://shop.kz">
//     <document id="personal-data" route="/personal-data" controlling-lang="ru">
//       <title>...</title>
//       <text lang="ru" path="personal-data/ru.md" previous-paths="old/ru.md"/>
//       <purposes><purpose id="marketing" clause="4.1.10">...</purpose></purposes>
//     </document>
//   </charta>
//
// throws InvalidInput: the XML is not well-formed or breaks a rule (unknown version, invalid or
// duplicate id, route or language, unsafe path, controlling language without a text, purpose
// clause that is not a clause number). The message names the element and the rule.
core::Registry parseRegistry(std::string_view xml);

// The element <document id="id"> of charta.xml "xml" as written, without formatting: two
// revisions declare the document alike when these are equal. nullopt: no such element (or no
// well-formed XML).
std::optional<std::string> documentEntry(std::string_view xml, const core::DocumentId& id);

// Routes the server keeps for itself; a document cannot take them.
bool isReservedRoute(std::string_view route);

}  // namespace charta::repository
