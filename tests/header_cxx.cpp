// Compiled with -Wall -Wextra -pedantic -Werror: the header must be clean C++.
#include "crmkit.h"
int crmkit_header_cxx_probe() { return CRMKIT_OK + static_cast<int>(sizeof(crmkit_db*)); }
