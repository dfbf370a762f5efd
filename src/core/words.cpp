#include "core/words.h"

#include "core/markup.h"

namespace charta::core {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// One token of a Markdown text: a word, a punctuation mark or U+FFFD for an invalid byte.
struct Token {
  std::string_view text;
  bool word = false;         // letters and digits
  bool spaceBefore = false;  // white space (or a line break) came before it
  bool escaped = false;      // a word that starts right after a backslash escape inside a word
  bool breakBefore = false;  // the first token of a block other than the first
  unsigned char style = 0;
  std::string_view link;
};

// True when "line" (as written) starts a block of its own within a unit: a list item, a heading,
// a quote or a table row.
bool opensBlock(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos) return false;
  std::string_view t = line.substr(i);
  if (t[0] == '#' || t[0] == '>' || t[0] == '|') return true;
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') return true;
  size_t d = 0;
  while (d < t.size() && d < 10 && t[d] >= '0' && t[d] <= '9') ++d;
  return d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')') &&
         (d + 1 == t.size() || t[d + 1] == ' ');
}

// Reads the tokens of Markdown text one by one: the rules of legalTokens in one place. A token
// is always a contiguous part of the text (or kReplacement). With "links", the syntax of inline
// links is skipped and their words carry the destination.
class TokenReader {
 public:
  TokenReader(std::string_view text, bool rawFirstLine, bool links = false)
      : text_(text), raw_(rawFirstLine) {
    if (links) findLinks();
    urls_ = links;
  }

  bool next(Token& t) {
    while (true) {
      if (i_ >= line_.size() && !nextLine()) return false;
      if (i_ >= line_.size()) continue;
      if (markup()) continue;
      t = read();
      space_ = false;
      break_ = false;
      lastWordEnd_ = t.word ? line_.data() + i_ : nullptr;
      return true;
    }
  }

 private:
  size_t pos() const { return static_cast<size_t>(line_.data() - text_.data()) + i_; }

  bool nextLine() {
    if (pos_ >= text_.size()) return false;
    size_t e = text_.find('\n', pos_);
    if (e == std::string_view::npos) e = text_.size();
    std::string_view raw = text_.substr(pos_, e - pos_);
    line_ = raw;
    if (!(first_ && raw_)) line_ = stripLineMarkup(line_);
    if (!first_) space_ = true;
    bool blank = raw.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!first_ && (blank || (opensBlock(raw) && link_.empty()))) {
      break_ = true;
      strong_ = em_ = false;
    }
    first_ = false;
    pos_ = e + 1;
    i_ = 0;
    lastWordEnd_ = nullptr;
    return true;
  }

  // The inline links of the text, in order (the reader meets them in that order).
  void findLinks() {
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\\') {
        ++i;
      } else if (text_[i] == '`') {
        while (i + 1 < text_.size() && text_[i + 1] == '`') ++i;
      } else if (text_[i] == '[') {
        if (auto l = inlineLinkAt(text_, i)) {
          links_.push_back(*l);
          i = l->end - 1;
        }
      }
    }
  }

  // Link syntax at pos(): the "[" (or "![") that opens the next link, or its "](url)".
  bool linkSyntax() {
    size_t p = pos();
    while (link_.empty() && next_ < links_.size() && links_[next_].textBegin < p) ++next_;
    if (skipUntil_ > p) {
      i_ = std::min(line_.size(), i_ + (skipUntil_ - p));
      return true;
    }
    if (next_ >= links_.size()) return false;
    const InlineLink& l = links_[next_];
    if (!link_.empty() && p >= l.textEnd) {
      link_ = {};
      ++next_;
      skipUntil_ = l.end;
      return true;
    }
    if (link_.empty() && (p + 1 == l.textBegin || (p + 2 == l.textBegin && line_[i_] == '!'))) {
      link_ = text_.substr(l.urlBegin, l.urlEnd - l.urlBegin);
      if (link_.empty()) link_ = "#";
      i_ += l.textBegin - p;
      return true;
    }
    return false;
  }

  // An emphasis delimiter run at i_ of "c": toggles strong ("**") and emphasis ("*") when it can
  // open (text follows) or close (text before) them. Returns its length.
  size_t emphasis(char c) {
    size_t n = 0;
    while (i_ + n < line_.size() && line_[i_ + n] == c) ++n;
    bool textAfter = i_ + n < line_.size() && line_[i_ + n] != ' ' && line_[i_ + n] != '\t';
    bool textBefore = i_ > 0 && line_[i_ - 1] != ' ' && line_[i_ - 1] != '\t';
    if (c == '_' && textBefore && textAfter) return n;  // "snake_case": no emphasis inside words
    auto toggle = [&](bool& on) {
      if ((!on && textAfter) || (on && textBefore)) on = !on;
    };
    if (n >= 2) toggle(strong_);
    if (n % 2 == 1) toggle(em_);
    return n;
  }

  // Skips markup that carries no words at i_: emphasis, autolink brackets, white space, link
  // syntax and the backslash of an escape. True when something was skipped.
  bool markup() {
    if (!links_.empty() && linkSyntax()) return true;
    char c = line_[i_];
    if (c == '\\' && i_ + 1 < line_.size() && static_cast<unsigned char>(line_[i_ + 1]) < 0x80 &&
        line_[i_ + 1] != ' ') {
      escapeAt_ = line_.data() + i_;
      ++i_;  // the escaped character is text, never markup
    } else if (c == '*' || c == '_') {
      i_ += emphasis(c);
      return true;
    } else if (c == '<' && isAutolinkStart(line_.substr(i_ + 1)) &&
               line_.find('>', i_) != std::string_view::npos) {
      ++i_;
      return true;
    } else if (c == '>' && i_ > 0) {
      size_t open = line_.rfind('<', i_);  // the closing bracket of an autolink on this line
      if (open != std::string_view::npos && isAutolinkStart(line_.substr(open + 1))) {
        ++i_;
        return true;
      }
    }
    char32_t cp;
    size_t n = charAt(i_, cp);
    if (n > 0 && isTextSpace(cp)) {
      space_ = true;
      i_ += n;
      return true;
    }
    return false;
  }

  // The length of the character at "i" (0: an invalid byte) and its code point. Fast paths:
  // ASCII, and the two-byte Cyrillic block U+0400-U+04FF.
  size_t charAt(size_t i, char32_t& cp) const {
    auto uc = static_cast<unsigned char>(line_[i]);
    if (uc < 0x80) {
      cp = uc;
      return 1;
    }
    if (uc >= 0xD0 && uc <= 0xD3 && i + 1 < line_.size() &&
        (static_cast<unsigned char>(line_[i + 1]) & 0xC0) == 0x80) {
      cp = (static_cast<char32_t>(uc & 0x1F) << 6) | (line_[i + 1] & 0x3F);
      return 2;
    }
    return decodeUtf8(line_, i, cp);
  }

  // The token at i_, which is no markup; moves i_ past it.
  Token read() {
    Token t;
    t.spaceBefore = space_;
    t.breakBefore = break_;
    t.style = static_cast<unsigned char>((strong_ ? kStrong : 0) | (em_ ? kEmphasis : 0));
    t.link = link_;
    bool escaped = escapeAt_ && escapeAt_ + 1 == line_.data() + i_;
    if (size_t url = urls_ && wordStartsAt(line_, i_) ? urlLength(line_.substr(i_)) : 0) {
      t.text = line_.substr(i_, url);
      t.word = true;
      i_ += url;
      return t;
    }
    char32_t cp;
    size_t n = charAt(i_, cp);
    if (n == 0) {
      t.text = kReplacement;
      ++i_;
      return t;
    }
    if (!isWordChar(cp)) {
      t.text = line_.substr(i_, n);
      i_ += n;
      return t;
    }
    size_t begin = i_;
    t.word = true;
    t.escaped = escaped && lastWordEnd_ == escapeAt_;
    i_ += n;
    while (i_ < line_.size()) {
      n = charAt(i_, cp);
      bool cyrillic = cp >= 0x400 && cp <= 0x4FF;  // all letters: the common case first
      if (n == 0 || !(cyrillic || isWordChar(cp))) break;
      i_ += n;
    }
    t.text = line_.substr(begin, i_ - begin);
    return t;
  }

  std::string_view text_;
  bool raw_;
  std::string_view line_{};
  size_t pos_ = 0, i_ = 0;
  bool first_ = true;
  bool space_ = false;
  bool break_ = false;
  bool strong_ = false, em_ = false;
  const char* escapeAt_ = nullptr;     // the backslash of the last escape
  const char* lastWordEnd_ = nullptr;  // where the last token ended, if it was a word
  bool urls_ = false;                  // a URL is one word (readWords)
  std::vector<InlineLink> links_;
  size_t next_ = 0;          // the next link of links_ the reader meets
  std::string_view link_{};  // the destination of the link whose text is being read
  size_t skipUntil_ = 0;     // the end of link syntax being skipped
};

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string asciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool isAutolinkStart(std::string_view s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("mailto:", 0) == 0;
}

std::string_view stripLineMarkup(std::string_view line) {
  auto skipSpaces = [&] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  skipSpaces();
  while (!line.empty() && line.front() == '>') {
    line.remove_prefix(1);
    skipSpaces();
  }
  size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes >= 1 && hashes <= 6 && (hashes == line.size() || line[hashes] == ' ')) {
    line.remove_prefix(hashes);
    skipSpaces();
  } else if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') &&
             line[1] == ' ') {
    line.remove_prefix(2);
    skipSpaces();
  }
  return line;
}

size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool isValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    size_t n = decodeUtf8(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool isTextSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000 || cp == 0xFEFF;
}

bool isWordChar(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  // Punctuation and symbol blocks; everything else above ASCII counts as a letter.
  if (cp <= 0xBF) return false;                    // Latin-1 punctuation: « » § ...
  if (cp == 0xD7 || cp == 0xF7) return false;      // × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // general punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE6F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  return true;
}

bool isUpperCase(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return true;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return true;
  if (cp >= 0x400 && cp <= 0x42F) return true;
  if (cp >= 0x460 && cp <= 0x4FF) return cp % 2 == 0;  // Cyrillic extensions alternate cases
  return false;
}

char32_t toLowerCase(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

size_t skipTextSpace(std::string_view s, size_t i) {
  while (i < s.size()) {
    char32_t cp;
    size_t n = decodeUtf8(s, i, cp);
    if (n == 0 || !isTextSpace(cp)) break;
    i += n;
  }
  return i;
}

size_t lettersEnd(std::string_view s, size_t i) {
  while (i < s.size()) {
    char32_t cp;
    size_t n = decodeUtf8(s, i, cp);
    if (n == 0 || !isWordChar(cp) || (cp >= '0' && cp <= '9')) break;
    i += n;
  }
  return i;
}

bool wordStartsAt(std::string_view s, size_t i) {
  if (i == 0) return true;
  size_t k = i - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  char32_t cp;
  return decodeUtf8(s, k, cp) == 0 || !isWordChar(cp);
}

bool isWordToken(std::string_view token) {
  char32_t cp;
  return !token.empty() && decodeUtf8(token, 0, cp) > 0 && isWordChar(cp);
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size();) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c + 0x20);
      ++i;
      continue;
    }
    char32_t cp;
    size_t n = decodeUtf8(out, i, cp);
    if (n == 0) {
      ++i;
      continue;
    }
    char32_t lower = toLowerCase(cp);
    if (lower != cp) {  // a Cyrillic capital: two bytes, as its lower case
      out[i] = static_cast<char>(0xC0 | (lower >> 6));
      out[i + 1] = static_cast<char>(0x80 | (lower & 0x3F));
    }
    i += n;
  }
  return out;
}

std::vector<std::string> legalTokens(std::string_view markdown) {
  std::vector<std::string> out;
  TokenReader reader(markdown, false);
  Token t;
  while (reader.next(t)) {
    if (t.escaped && !out.empty()) {
      out.back().append(t.text);  // "a\b" is the word "ab"
    } else {
      out.emplace_back(t.text);
    }
  }
  return out;
}

std::vector<Word> readWords(std::string_view markdown, bool rawFirstLine) {
  std::vector<Word> out;
  out.reserve(markdown.size() / 6);
  TokenReader reader(markdown, rawFirstLine, true);
  Token t;
  while (reader.next(t)) {
    out.push_back(Word{t.text, t.spaceBefore, t.breakBefore && !out.empty(), t.style, t.link});
  }
  return out;
}

std::string joinWords(const std::vector<Word>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    bool opens = !w.link.empty() && (i == 0 || words[i - 1].link != w.link);
    if (i > 0 && (w.spaceBefore || w.breakBefore)) out += ' ';
    if (opens) out += '[';
    out.append(w.text);
    if (!w.link.empty() && (i + 1 == words.size() || words[i + 1].link != w.link)) {
      out += "](";
      out.append(w.link);
      out += ')';
    }
  }
  return out;
}

size_t urlLength(std::string_view s) {
  size_t start = isAutolinkStart(s) ? s.find(':') + 1 : s.rfind("www.", 0) == 0 ? 4 : 0;
  if (start == 0 || start >= s.size()) return 0;
  size_t end = start;
  int parens = 0;
  while (end < s.size()) {
    char c = s[end];
    if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == '"' || c == '`') break;
    if (c == '(') ++parens;
    if (c == ')' && --parens < 0) break;
    ++end;
  }
  while (end > start && std::string_view(".,;:!?'*_~").find(s[end - 1]) != std::string_view::npos) {
    --end;
  }
  // Something after the scheme or "www.": a word character.
  for (size_t k = start; k < end; ++k) {
    char c = s[k];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return end;
  }
  return 0;
}

}  // namespace charta::core
