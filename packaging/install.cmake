# Installing charta and its Debian package (included by the top-level CMakeLists.txt).
#
#   cmake --install build/default --prefix /tmp/x     bin/charta, share/charta/{templates,site,
#                                                     api,policies}, the man page, bash completion,
#                                                     etc/charta/charta.ini, the systemd unit
#   cmake --build build/default --target package      build/default/charta_<version>_<arch>.deb
#
# An installed charta finds share/charta from its own location (src/app/data_dir.h), so either
# works without setting site.data_dir.
include(GNUInstallDirs)

# --- the built-in default of site.data_dir (src/app/data_dir.cpp) ---------------------------------
file(RELATIVE_PATH charta_data_from_bin "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_FULL_DATADIR}/charta")
set(charta_data_dir_definitions
  "CHARTA_SOURCE_TREE=\"${CHARTA_DATA_DIR}\""
  "CHARTA_BUILD_TREE=\"${CMAKE_BINARY_DIR}\""
  "CHARTA_INSTALL_DATA_FROM_BIN=\"${charta_data_from_bin}\""
  "CHARTA_INSTALL_FULL_DATA=\"${CMAKE_INSTALL_FULL_DATADIR}/charta\"")
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/app/data_dir.cpp
  DIRECTORY ${CMAKE_SOURCE_DIR}/src/app
  PROPERTIES COMPILE_DEFINITIONS "${charta_data_dir_definitions}")

# --- the man page and bash completion, made from the built binary's own help text ---------------
set(charta_man ${CMAKE_BINARY_DIR}/packaging/charta.1)
set(charta_completion ${CMAKE_BINARY_DIR}/packaging/charta.bash)
add_custom_command(OUTPUT ${charta_man} ${charta_man}.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/man.sh $<TARGET_FILE:charta> ${PROJECT_VERSION} > ${charta_man}
  COMMAND gzip -9nc ${charta_man} > ${charta_man}.gz
  DEPENDS charta ${CMAKE_CURRENT_LIST_DIR}/man.sh
  COMMENT "charta(1) from charta --help"
  VERBATIM)
add_custom_command(OUTPUT ${charta_completion}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/completion.sh $<TARGET_FILE:charta> > ${charta_completion}
  DEPENDS charta ${CMAKE_CURRENT_LIST_DIR}/completion.sh
  COMMENT "bash completion from charta --help"
  VERBATIM)
add_custom_target(charta_docs ALL DEPENDS ${charta_man} ${charta_completion})

# --- install rules --------------------------------------------------------------------------------
install(TARGETS charta RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/templates ${CMAKE_SOURCE_DIR}/site ${CMAKE_SOURCE_DIR}/api
                  ${CMAKE_SOURCE_DIR}/policies
        DESTINATION ${CMAKE_INSTALL_DATADIR}/charta)
install(FILES ${charta_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 RENAME charta.1.gz)
install(FILES ${charta_completion} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME charta)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/nginx.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The configuration and the unit go where the system looks for them: /etc and /lib/systemd for
# the prefix /usr (the package), PREFIX/etc and PREFIX/lib/systemd otherwise. Decided when
# installing, since `cmake --install --prefix` and CPack choose the prefix then; the unit names
# the installed binary.
install(CODE "
  set(charta_src \"${CMAKE_SOURCE_DIR}\")
  set(charta_packaging \"${CMAKE_CURRENT_LIST_DIR}\")
  set(charta_build \"${CMAKE_BINARY_DIR}\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/install_system.cmake\")
")

# --- the Debian package (CPack) -------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME charta)
set(CPACK_PACKAGE_VENDOR charta)
set(CPACK_PACKAGE_CONTACT "charta maintainers <charta@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "policy editions, consent ledger and version API")
set(CPACK_PACKAGE_DESCRIPTION
    "charta versions and publishes policy documents (privacy policy, terms) kept in a git\n"
    "repository as numbered editions with an effective moment, serves the edition in force, and\n"
    "records consents in a hash-chained ledger (SQLite or PostgreSQL).")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Installed with DESTDIR and the prefix /usr, so that the install code (install_system.cmake) sees
# /usr and puts the conffile in /etc and the unit in /lib/systemd/system.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://charta.dev")
# The libraries charta links (Poco, libgit2, cmark-gfm, pugixml) come from dpkg-shlibdeps; the
# PostgreSQL and SQLite client libraries, which it reaches through Poco's data connectors, are
# named as well. passwd gives postinst useradd.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpq5, libsqlite3-0, passwd")
# tzdata gives site.timezone its zones (Asia/Almaty, Europe/Berlin): a minbase Debian may lack
# it, and charta runs without it (its default time zone and fixed offsets need no zoneinfo).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx, postgresql, git")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/postinst ${CMAKE_CURRENT_LIST_DIR}/prerm
    ${CMAKE_CURRENT_LIST_DIR}/postrm ${CMAKE_CURRENT_LIST_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

if(CHARTA_TESTS)
  add_subdirectory(${CMAKE_SOURCE_DIR}/tests/package ${CMAKE_BINARY_DIR}/tests/package)
endif()
