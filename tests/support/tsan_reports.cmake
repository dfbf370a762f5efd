# ThreadSanitizer reports of the tests labelled concurrency (the tsan preset): every process,
# the test programs and the `charta serve` they start, writes its reports to REPORTS/report.<pid>
# (TSAN_OPTIONS log_path). MODE=clear empties REPORTS before the tests, MODE=check afterwards
# prints every report and fails if there is one.
if(MODE STREQUAL "clear")
  file(REMOVE_RECURSE "${REPORTS}")
  file(MAKE_DIRECTORY "${REPORTS}")
  return()
endif()
file(GLOB reports "${REPORTS}/*")
if(NOT reports)
  message(STATUS "no ThreadSanitizer reports")
  return()
endif()
list(LENGTH reports count)
foreach(report ${reports})
  file(READ "${report}" text)
  message("== ${report}\n${text}")
endforeach()
message(FATAL_ERROR "${count} process(es) with ThreadSanitizer reports in ${REPORTS}")
