# The soak load generator (not a test): include() from tests/bench/CMakeLists.txt. soak.sh builds
# the same file with the system compiler when this build is not configured.
#   soak_load --port P --token T [--connections 64] [--seconds 30] [--window 10] [--pid PID] ...
find_package(Threads REQUIRED)
add_executable(soak_load ${CMAKE_CURRENT_LIST_DIR}/soak_load.cpp)
target_link_libraries(soak_load PRIVATE Threads::Threads)
