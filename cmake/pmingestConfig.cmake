# pmingestConfig.cmake — the CMake package of an installed pmingest (`make install PREFIX=<prefix>`
# puts it in <prefix>/lib/cmake/pmingest/).
#
#   find_package(pmingest 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE pmingest::pmingest)
#
# pmingest::pmingest is the imported shared library libpmingest.so.0 with its include directory
# (pmingest.h for C, pmingest.hpp for C++17). The library carries its Swift runtime and links the
# system's libcurl, libwebsockets, sqlite3 and OpenSSL itself: nothing else to find. The location
# is derived from this file's own path, so an installed tree can be moved as a whole.
# Sets pmingest_FOUND, pmingest_VERSION (from pmingestConfigVersion.cmake), pmingest_INCLUDE_DIRS
# and pmingest_LIBRARIES (= pmingest::pmingest) for projects that do not use targets.

get_filename_component(_pmingest_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_pmingest_library "${_pmingest_prefix}/lib/libpmingest.so.0")
set(_pmingest_include "${_pmingest_prefix}/include")

if(NOT EXISTS "${_pmingest_library}" OR NOT EXISTS "${_pmingest_include}/pmingest.h")
  set(pmingest_FOUND FALSE)
  set(pmingest_NOT_FOUND_MESSAGE
      "pmingest: ${_pmingest_library} or ${_pmingest_include}/pmingest.h is missing (incomplete install?)")
  unset(_pmingest_prefix)
  unset(_pmingest_library)
  unset(_pmingest_include)
  return()
endif()

if(NOT TARGET pmingest::pmingest)
  add_library(pmingest::pmingest SHARED IMPORTED)
  set_target_properties(pmingest::pmingest PROPERTIES
    IMPORTED_LOCATION "${_pmingest_library}"
    IMPORTED_SONAME "libpmingest.so.0"
    INTERFACE_INCLUDE_DIRECTORIES "${_pmingest_include}")
endif()

set(pmingest_INCLUDE_DIRS "${_pmingest_include}")
set(pmingest_LIBRARIES pmingest::pmingest)
set(pmingest_FOUND TRUE)

unset(_pmingest_prefix)
unset(_pmingest_library)
unset(_pmingest_include)
