#pragma once

#include <map>
#include <string>
#include <string_view>

namespace charta::core {

// A Markdown file split into its YAML-style front matter and its text.
//
// Front matter is a block that opens the file with a line "---" and ends with the next line
// "---" (or "..."). Inside, only "key: value" lines are read (values may be quoted with ' or ");
// other lines (lists, comments, blank lines) are kept in "raw" but not interpreted. The text
// starts right after the closing line. Without an opening "---" the whole file is text.
struct MarkdownFile {
  std::map<std::string, std::string> meta;  // "title" -> "Политика ..."
  std::string raw;                          // the front matter as written, without the fences
  std::string_view body;                    // the text: a view into the input
  size_t bodyLine = 1;                      // the 1-based line at which the text starts
  bool hasFrontMatter = false;
};

// Splits "content". The returned body refers to "content", which must outlive it.
// A BOM is skipped. An opening "---" without a closing one is not front matter.
MarkdownFile splitFrontMatter(std::string_view content);

}  // namespace charta::core
