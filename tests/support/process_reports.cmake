# Reports of the processes the tests ran. ThreadSanitizer (the tsan preset, tests labelled
# concurrency): every process, the test programs and the `charta serve` they start, writes its
# reports to REPORTS/report.<pid> (TSAN_OPTIONS log_path). The server reports of every build
# (KIND given): sanitizer reports and exit statuses, see support/sandbox.h. MODE=clear empties
# REPORTS before the tests, MODE=check afterwards prints every report and fails if there is one.
if(NOT KIND)
  set(KIND "ThreadSanitizer")
endif()
if(MODE STREQUAL "clear")
  file(REMOVE_RECURSE "${REPORTS}")
  file(MAKE_DIRECTORY "${REPORTS}")
  return()
endif()
file(GLOB reports "${REPORTS}/*")
if(NOT reports)
  message(STATUS "no ${KIND} reports")
  return()
endif()
list(LENGTH reports count)
foreach(report ${reports})
  file(READ "${report}" text)
  message("== ${report}\n${text}")
endforeach()
message(FATAL_ERROR "${count} process(es) with ${KIND} reports in ${REPORTS}")
