# Runs EXE on PRM in WORKDIR and checks that it exits with the expected code
# and prints the expected fragment, both given on the first line of PRM:
#   # expect: <exit code> <message fragment>
if(DEFINED EXPECT_CODE)
  set(_first "# expect: ${EXPECT_CODE} ${EXPECT_TEXT}")
else()
  file(STRINGS ${PRM} _first LIMIT_COUNT 1)
endif()
string(REGEX MATCH "^# expect: ([0-9]+) (.*)$" _match "${_first}")
if(NOT _match)
  message(FATAL_ERROR "${PRM}: first line must be '# expect: <code> <text>'")
endif()
set(_code ${CMAKE_MATCH_1})
set(_fragment "${CMAKE_MATCH_2}")
file(REMOVE_RECURSE ${WORKDIR})
file(MAKE_DIRECTORY ${WORKDIR})
execute_process(COMMAND ${EXE} ${PRM}
  WORKING_DIRECTORY ${WORKDIR}
  RESULT_VARIABLE _result
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err
  TIMEOUT 120)
if(NOT "${_result}" STREQUAL "${_code}")
  message(FATAL_ERROR "expected exit code ${_code}, got '${_result}'.\n"
    "stdout:\n${_out}\nstderr:\n${_err}")
endif()
string(FIND "${_err}" "${_fragment}" _pos)
if(_pos EQUAL -1)
  message(FATAL_ERROR "expected the message to contain '${_fragment}'.\n"
    "stderr:\n${_err}")
endif()
# A run that fails to converge must still leave its last state behind.
if("${_code}" STREQUAL "3")
  if(NOT EXISTS ${WORKDIR}/results/summary.json)
    message(FATAL_ERROR "a non-converged run must write results/summary.json")
  endif()
  file(READ ${WORKDIR}/results/summary.json _summary)
  string(FIND "${_summary}" "\"converged\": false" _pos)
  if(_pos EQUAL -1)
    message(FATAL_ERROR "results/summary.json of a non-converged run must "
      "say \"converged\": false")
  endif()
endif()
message(STATUS "rejected as expected (exit ${_result}): ${_err}")
