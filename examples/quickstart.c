/* crmkit quickstart (C API): placeholder until the customers/interactions C API lands. */
#include <stdio.h>

#include "crmkit.h"

int main(void) {
  crmkit_db *db = NULL;
  if (crmkit_db_open(&db, ":memory:", NULL) != CRMKIT_OK) {
    fprintf(stderr, "crmkit: %s\n", crmkit_last_error_message());
    return 1;
  }
  crmkit_db_close(db);
  return 0;
}
