# Reads src/win/exports.txt ("Name Bytes" or "Name Bytes stub" per line, '#'
# comments) into two lists: <prefix>_NAMES and <prefix>_BYTES (all exports,
# same order) and <prefix>_STUBS ("Name:Bytes" of the "stub" lines).
# Editing the file re-runs the configure step.
function(dbgwalk_read_exports exports_file prefix)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${exports_file}")
  file(STRINGS "${exports_file}" lines)
  set(names "")
  set(bytes "")
  set(stubs "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*#" OR line MATCHES "^[ \t]*$")
      continue()
    endif()
    if(NOT line MATCHES "^([A-Za-z_][A-Za-z0-9_]*)[ \t]+([0-9]+)([ \t]+(stub))?[ \t]*$")
      message(FATAL_ERROR "${exports_file}: cannot parse '${line}' "
                          "(expected 'Name Bytes' or 'Name Bytes stub')")
    endif()
    math(EXPR rem "${CMAKE_MATCH_2} % 4")
    if(NOT rem EQUAL 0)
      message(FATAL_ERROR "${exports_file}: ${CMAKE_MATCH_1}: ${CMAKE_MATCH_2} is not a multiple of 4")
    endif()
    list(APPEND names ${CMAKE_MATCH_1})
    list(APPEND bytes ${CMAKE_MATCH_2})
    if(CMAKE_MATCH_4 STREQUAL "stub")
      list(APPEND stubs "${CMAKE_MATCH_1}:${CMAKE_MATCH_2}")
    endif()
  endforeach()
  set(${prefix}_NAMES "${names}" PARENT_SCOPE)
  set(${prefix}_BYTES "${bytes}" PARENT_SCOPE)
  set(${prefix}_STUBS "${stubs}" PARENT_SCOPE)
endfunction()

# Writes content to file only when it differs, so a re-configure does not
# rebuild what depends on it.
function(dbgwalk_write_if_changed file content)
  if(EXISTS "${file}")
    file(READ "${file}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${file}" "${content}")
endfunction()

# Generates the module-definition file for dbghelp.dll from src/win/exports.txt:
# every line, implemented or stub. x86_64 names are plain; i686 names carry
# their __stdcall @N decoration and the link uses --kill-at, so the DLL
# exports undecorated names as Windows' does while the import library still
# resolves StackWalk64@36.
function(dbgwalk_generate_def exports_file out_file decorate)
  dbgwalk_read_exports("${exports_file}" exp)
  set(body "LIBRARY dbghelp.dll\nEXPORTS\n")
  list(LENGTH exp_NAMES count)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    list(GET exp_NAMES ${i} name)
    list(GET exp_BYTES ${i} bytes)
    if(decorate)
      string(APPEND body "  ${name}@${bytes}\n")
    else()
      string(APPEND body "  ${name}\n")
    endif()
  endforeach()
  dbgwalk_write_if_changed("${out_file}" "${body}")
endfunction()
