# Install-time part of packaging/install.cmake: the configuration and the systemd unit, placed
# by the prefix chosen when installing (CMAKE_INSTALL_PREFIX here is that prefix).
# Set by the caller: charta_src (the source tree), charta_packaging (this folder), charta_build
# (the build tree).
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
  set(charta_etc /etc)
  set(charta_unitdir /lib/systemd/system)
else()
  set(charta_etc ${CMAKE_INSTALL_PREFIX}/etc)
  set(charta_unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

# The configuration holds token hashes and webhook secrets: readable by root and group charta
# only (postinst sets the group).
file(INSTALL ${charta_packaging}/charta.ini DESTINATION ${charta_etc}/charta
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)

# The unit names /usr/bin/charta and /etc/charta; another prefix gets its own paths.
file(READ ${charta_src}/deploy/charta.service charta_unit)
if(NOT CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
  string(REPLACE "/usr/bin/charta" "${CMAKE_INSTALL_PREFIX}/bin/charta" charta_unit "${charta_unit}")
  string(REPLACE "/etc/charta/" "${charta_etc}/charta/" charta_unit "${charta_unit}")
endif()
set(charta_unit_tmp ${charta_build}/packaging/charta.service)
file(WRITE ${charta_unit_tmp} "${charta_unit}")
file(INSTALL ${charta_unit_tmp} DESTINATION ${charta_unitdir}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
