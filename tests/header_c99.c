/* Compiled with -std=c99 -Wall -Wextra -pedantic -Werror: the header must be clean C99. */
#include "crmkit.h"
int crmkit_header_c99_probe(void) { return CRMKIT_OK + (int)sizeof(crmkit_db *); }
