#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace charta::core {

// A numbered clause as it opens a paragraph or heading of a policy text.
struct ClauseMark {
  std::string number;  // "4.1.10": digits and single dots, no trailing dot
  size_t line = 0;     // 1-based line in the text given
  bool heading = false;
};

// Returns the clause numbers that open a block of "markdown", in order: a paragraph whose first
// characters (after emphasis markers) are "4.1.10." or "1.1 " or the seed's "7.1..", and an ATX
// heading "## 5. TITLE". Numbers inside a paragraph are references, not clauses.
std::vector<ClauseMark> clauseMarks(std::string_view markdown);

// The stable anchor of a clause: "4.1.10" -> "p-4-1-10".
std::string clauseAnchor(std::string_view number);

}  // namespace charta::core
