#include <crmkit.h>
#include <stdio.h>
int main(void) {
  crmkit_db *db = NULL;
  if (crmkit_db_open(&db, ":memory:", NULL) != CRMKIT_OK) return 1;
  printf("crmkit %s\n", crmkit_version_string());
  crmkit_db_close(db);
  return 0;
}
