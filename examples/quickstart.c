/* crmkit quickstart (C API, shared library): open a temporary database, upsert two customers,
** record purchases and an email, then print a timeline and the figures of each customer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crmkit.h"

/* Every call returns a status; on failure print the library's message and stop. */
#define CHECK(call)                                                                   \
  do {                                                                                \
    int rc_ = (call);                                                                 \
    if (rc_ < 0) {                                                                    \
      fprintf(stderr, "%s failed: %s: %s\n", #call, crmkit_status_name(rc_),          \
              crmkit_last_error_message());                                           \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

/* 2025-01-15T10:00:00Z in milliseconds since the epoch: crmkit never reads the clock. */
static const int64_t JAN_15 = INT64_C(1736935200000);

static int64_t upsert_customer(crmkit_db *db, const char *external_id, const char *field,
                               const char *value, const char *email) {
  crmkit_customer *c = NULL;
  int64_t id = 0;
  CHECK(crmkit_customer_new(&c));
  CHECK(crmkit_customer_set_text(c, "external_id", external_id));
  CHECK(crmkit_customer_set_text(c, field, value));
  if (email) CHECK(crmkit_customer_set_text(c, "email", email));
  CHECK(crmkit_customer_set_created_at(c, JAN_15));
  CHECK(crmkit_customer_upsert(&id, NULL, db, c));
  crmkit_customer_free(c);
  return id;
}

static void record(crmkit_db *db, int64_t customer, int64_t when, const char *channel,
                   const char *kind, int64_t cents, const char *external_id, const char *subject) {
  crmkit_interaction *rec = NULL;
  int64_t id = 0;
  CHECK(crmkit_interaction_new(&rec));
  CHECK(crmkit_interaction_set_customer_id(rec, customer));
  CHECK(crmkit_interaction_set_occurred_at(rec, when));
  CHECK(crmkit_interaction_set_channel(rec, channel));
  CHECK(crmkit_interaction_set_kind(rec, kind));
  if (cents >= 0) CHECK(crmkit_interaction_set_amount(rec, cents, "USD"));
  if (external_id) CHECK(crmkit_interaction_set_external_id(rec, external_id));
  if (subject) CHECK(crmkit_interaction_set_subject(rec, subject));
  CHECK(crmkit_interaction_record(&id, db, rec));
  crmkit_interaction_free(rec);
}

int main(void) {
  char path[] = "/tmp/crmkit-quickstart-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 1;
  close(fd);
  unlink(path); /* crmkit creates the file itself (mode 0600) */

  crmkit_db *db = NULL;
  CHECK(crmkit_db_open(&db, path, NULL));
  int64_t ada = upsert_customer(db, "crm-1001", "given_name", "Ada", "Ada@Example.com");
  int64_t grace = upsert_customer(db, "crm-1002", "display_name", "Grace Hopper", NULL);

  /* One transaction for all four facts. */
  CHECK(crmkit_db_begin(db));
  record(db, ada, INT64_C(1737376200000), "web", "purchase", 4990, "order-1", NULL);   /* 2025-01-20T12:30Z */
  record(db, ada, INT64_C(1738574100000), "web", "purchase", 1500, "order-2", NULL);   /* 2025-02-03T09:15Z */
  record(db, grace, INT64_C(1739203200000), "web", "purchase", 12000, "order-3", NULL); /* 2025-02-10T16:00Z */
  record(db, ada, INT64_C(1738656000000), "email", "email_open", -1, NULL, "February newsletter");
  CHECK(crmkit_db_commit(db));

  printf("Timeline of crm-1001 (newest first):\n");
  crmkit_interaction_iter *it = NULL;
  CHECK(crmkit_interaction_iter_new(&it, db, ada, NULL, NULL, INT64_MIN, INT64_MAX));
  int rc;
  while ((rc = crmkit_interaction_iter_next(it)) == CRMKIT_OK) {
    const char *currency = crmkit_interaction_iter_currency(it);
    const char *subject = crmkit_interaction_iter_subject(it);
    printf("  %lld  %-5s %-10s ", (long long)crmkit_interaction_iter_occurred_at(it),
           crmkit_interaction_iter_channel(it), crmkit_interaction_iter_kind(it));
    if (currency)
      printf("%lld.%02lld %s\n", (long long)(crmkit_interaction_iter_amount(it) / 100),
             (long long)(crmkit_interaction_iter_amount(it) % 100), currency); /* USD: cents */
    else
      printf("%s\n", subject ? subject : "");
  }
  CHECK(rc);
  crmkit_interaction_iter_free(it);

  int64_t ids[2] = {ada, grace};
  for (int k = 0; k < 2; ++k) {
    char *json = NULL;
    CHECK(crmkit_customer_figures_json(&json, db, ids[k]));
    printf("figures of customer %lld: %s\n", (long long)ids[k], json);
    crmkit_free(json);
  }
  char *ada_json = NULL;
  CHECK(crmkit_customer_get_json(&ada_json, db, ada));
  int ok = strstr(ada_json, "\"email\":\"ada@example.com\"") != NULL;
  crmkit_free(ada_json);

  crmkit_db_close(db);
  unlink(path);
  {
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
  }
  return ok ? 0 : 1;
}
