# Writes OUT, a C++ source holding every strings file of DIR (<lang>.txt) as a raw string, so
# the words of the pages are part of the binary: cmake -DDIR=... -DOUT=... -P embed.cmake
file(GLOB files "${DIR}/*.txt")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(lang "${f}" NAME_WE)
  file(READ "${f}" text)
  string(FIND "${text}" ")charta_strings\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} holds the embedding's delimiter )charta_strings\"")
  endif()
  string(APPEND body "    {\"${lang}\", R\"charta_strings(${text})charta_strings\"},\n")
endforeach()
set(out "// Generated from src/render/strings/*.txt by embed.cmake: edit those files, not this one.
#include \"render/catalogue.h\"

namespace charta::render::detail {

const std::vector<EmbeddedStrings>& embeddedStrings() {
  static const std::vector<EmbeddedStrings> kFiles{
${body}  };
  return kFiles;
}

}  // namespace charta::render::detail
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${out}")
  file(WRITE "${OUT}" "${out}")
endif()
