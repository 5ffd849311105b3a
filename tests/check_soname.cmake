execute_process(COMMAND objdump -p ${LIB} OUTPUT_VARIABLE out)
if(NOT out MATCHES "SONAME +libcrmkit\\.so\\.${MAJOR}\n")
  message(FATAL_ERROR "SONAME is not libcrmkit.so.${MAJOR}:\n${out}")
endif()
