# Finds GNU libidn2 (Debian: libidn2-dev) through its header and library, as FindPhoneNumber does,
# so the installed package finds it the same way. Defines Idn2::Idn2.
find_path(Idn2_INCLUDE_DIR idn2.h)
find_library(Idn2_LIBRARY idn2)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Idn2
  REQUIRED_VARS Idn2_LIBRARY Idn2_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "apt-get install libidn2-dev")
if(Idn2_FOUND AND NOT TARGET Idn2::Idn2)
  add_library(Idn2::Idn2 UNKNOWN IMPORTED)
  set_target_properties(Idn2::Idn2 PROPERTIES
    IMPORTED_LOCATION "${Idn2_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Idn2_INCLUDE_DIR}")
endif()
mark_as_advanced(Idn2_INCLUDE_DIR Idn2_LIBRARY)
