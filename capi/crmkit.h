/*
** crmkit.h: the C API of crmkit, an embeddable CRM engine over SQLite.
**
** Conventions (the same for every function):
**   - Every fallible function returns int: CRMKIT_OK (0), or a negative CRMKIT_E* status.
**     Iterators return CRMKIT_DONE (1) when exhausted. Bindings need one rule: rc < 0 fails.
**   - Constructors write the new handle through an out-pointer placed first; on failure it is
**     set to NULL. Destructors return void and accept NULL.
**   - After a failure, crmkit_last_error_message() (per thread) and crmkit_db_error_message(db)
**     (per handle) describe it, naming the argument or field and the problem.
**   - Strings in and out are NUL-terminated UTF-8. A returned `const char *` is borrowed: valid
**     until the next call on the same handle. A `char **` out-parameter is owned: release it
**     with crmkit_free().
**   - Times are int64 milliseconds since 1970-01-01T00:00:00Z. Money is int64 minor units plus
**     an ISO-4217 currency code. Booleans are int. Scores are double.
**   - A crmkit_db may be shared by threads: calls on one handle are serialised. Child handles
**     (iterators, results) keep their database alive, so they may be freed in any order.
**   - Bad input is refused with a specific status and changes nothing; every mutation is atomic.
*/
#ifndef CRMKIT_H
#define CRMKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(CRMKIT_SHARED)
#  ifdef CRMKIT_BUILDING
#    define CRMKIT_API __declspec(dllexport)
#  else
#    define CRMKIT_API __declspec(dllimport)
#  endif
#elif defined(CRMKIT_BUILDING)
#  define CRMKIT_API __attribute__((visibility("default")))
#else
#  define CRMKIT_API
#endif

#define CRMKIT_VERSION_MAJOR 0
#define CRMKIT_VERSION_MINOR 1
#define CRMKIT_VERSION_PATCH 0
#define CRMKIT_VERSION_NUMBER 100 /* MAJOR*10000 + MINOR*100 + PATCH */
#define CRMKIT_VERSION_STRING "0.1.0"

/* ======================================================================== status codes == */

typedef enum crmkit_status {
  CRMKIT_OK = 0,
  CRMKIT_DONE = 1,           /* an iterator has no more rows */
  CRMKIT_EINVALID = -1,      /* an argument is NULL, malformed, out of range or of a bad enum */
  CRMKIT_ENOTFOUND = -2,     /* no such id, external id or name */
  CRMKIT_ECONFLICT = -3,     /* exists with different content, or referenced by other facts */
  CRMKIT_ECONSTRAINT = -4,   /* the store refused the change (CHECK, foreign key) */
  CRMKIT_EBUSY = -5,         /* locked by another connection beyond the busy timeout */
  CRMKIT_EIO = -6,           /* the file could not be read or written (disk full, permissions) */
  CRMKIT_ECORRUPT = -7,      /* not a crmkit database, or damaged */
  CRMKIT_EVERSION = -8,      /* the file was written by a newer crmkit */
  CRMKIT_EREADONLY = -9,     /* a write on a database opened read-only */
  CRMKIT_ENOMEM = -10,       /* out of memory */
  CRMKIT_EMISUSE = -11,      /* not allowed now (commit without begin, use after close) */
  CRMKIT_EINTERNAL = -12     /* a bug in crmkit */
} crmkit_status;

/* The symbolic name of a status ("CRMKIT_EINVALID"); never NULL. */
CRMKIT_API const char *crmkit_status_name(int status);

/* Library version at run time (compare with the CRMKIT_VERSION_* macros). */
CRMKIT_API int crmkit_version_number(void);
CRMKIT_API const char *crmkit_version_string(void);

/* Message of the last failure on this thread; "" after success. Never NULL. */
CRMKIT_API const char *crmkit_last_error_message(void);

/* Releases memory returned through a char** or void** out-parameter. NULL is fine. */
CRMKIT_API void crmkit_free(void *p);

/* ============================================================== opening a database == */

typedef struct crmkit_db crmkit_db;
typedef struct crmkit_options crmkit_options;

/* Options for crmkit_db_open; defaults: read-write, create, busy timeout 5000 ms, mode 0600. */
CRMKIT_API int crmkit_options_new(crmkit_options **out);
CRMKIT_API void crmkit_options_free(crmkit_options *opts);
CRMKIT_API int crmkit_options_set_read_only(crmkit_options *opts, int read_only);
CRMKIT_API int crmkit_options_set_create(crmkit_options *opts, int create);
CRMKIT_API int crmkit_options_set_busy_timeout(crmkit_options *opts, int milliseconds);
CRMKIT_API int crmkit_options_set_file_mode(crmkit_options *opts, int mode);

/* Opens or creates a database file (":memory:" for a private in-memory one) and upgrades its
** schema. opts may be NULL for defaults. Fails with ECORRUPT for a file that is not a crmkit
** database, EVERSION for one written by a newer crmkit, EIO when it cannot be opened. */
CRMKIT_API int crmkit_db_open(crmkit_db **out, const char *path, const crmkit_options *opts);

/* Closes the handle. Iterators and results made from it stay usable until freed. */
CRMKIT_API void crmkit_db_close(crmkit_db *db);

/* Message of the last failure on this handle; "" if none. Never NULL. */
CRMKIT_API const char *crmkit_db_error_message(crmkit_db *db);

/* Schema version of the open file. */
CRMKIT_API int crmkit_db_schema_version(crmkit_db *db, int *out);

/* Explicit transaction: every crmkit mutation between begin and commit is one atomic unit.
** Without one, each call is its own transaction. rollback undoes everything since begin. */
CRMKIT_API int crmkit_db_begin(crmkit_db *db);
CRMKIT_API int crmkit_db_commit(crmkit_db *db);
CRMKIT_API int crmkit_db_rollback(crmkit_db *db);

/* Store settings, persisted in the file.
** default_calling_code: 1-3 digits ("44") prefixed to phone numbers given without '+', or "".
** default_currency: ISO-4217 code used where a currency is implied (rules, reports). */
CRMKIT_API int crmkit_db_set_default_calling_code(crmkit_db *db, const char *digits);
CRMKIT_API int crmkit_db_set_default_currency(crmkit_db *db, const char *currency);

/* ===================================================================== customers == */
/* (section owned by the customers area) */

/* ================================================================== interactions == */
/* (section owned by the interactions area) */

/* ================================================================ customer value == */
/* (section owned by the value area: CLV models, scores, RFM) */

/* ================================================================== segmentation == */
/* (section owned by the segments area) */

/* ======================================================================= loyalty == */
/* (section owned by the loyalty area: surveys, retention, cohorts, points) */

/* ---------------------------------------------------------------- points programmes -- */
/* Loyalty points with lots, expiry, refunds and tiers (docs/POINTS.md). Instants are int64 ms
** since the epoch (UTC); nothing reads the clock. Every mutation is atomic and idempotent on
** (programme, external_id): a repeat returns the first result with *out_replayed = 1 and
** writes nothing; the same external_id with different content fails with ECONFLICT. In the
** mutations below, out_points (the net signed change of the ledger) and out_replayed may be
** NULL. Common failures: EINVALID (a NULL or malformed argument, named in the message),
** ENOTFOUND (programme, customer, purchase or enrolment missing), ECONFLICT (as above, or not
** enough points), EREADONLY. */

typedef struct crmkit_points_ledger_iter crmkit_points_ledger_iter;

/* Creates a programme from a JSON object: required "name", "currency", "created_at"; optional
** "points_per_unit" (1), "unit_minor" (100), "points_per_order" (0), "channel_multipliers" and
** "segment_multipliers" ({"web": 1500} in permille), "expiry_days" (null: never),
** "consumption" ("fifo" | "fefo"), "pending_days" (0), "refund_policy" ("allow_negative" |
** "clamp_debt" (default) | "reject"), "value_per_1000_points", "tiers" ([{"name", "threshold",
** "permille"}], lowest first), "tier_metric" ("points" | "spend" | "orders"),
** "tier_window_days" (365), "review_period_days" (365), "grace_days" (30).
** ECONFLICT when the name exists. */
CRMKIT_API int crmkit_points_programme_create(crmkit_db *db, int64_t *out_id, const char *spec_json);
/* Id of the programme with this name; ENOTFOUND. */
CRMKIT_API int crmkit_points_programme_find(crmkit_db *db, int64_t *out_id, const char *name);
/* The programme as an owned JSON object (free with crmkit_free); all programmes as an array. */
CRMKIT_API int crmkit_points_programme_json(crmkit_db *db, char **out_json, int64_t programme_id);
CRMKIT_API int crmkit_points_programmes_json(crmkit_db *db, char **out_json);

/* Enrols a customer; the same call again is a no-op, another enrolled_at is ECONFLICT.
** Purchases recorded from enrolled_at on earn automatically. */
CRMKIT_API int crmkit_points_enroll(crmkit_db *db, int64_t programme_id, int64_t customer_id, int64_t enrolled_at);

/* Earns for a purchase interaction (idempotent per programme and purchase). EINVALID for a
** non-purchase, another currency or a purchase before enrolment. */
CRMKIT_API int crmkit_points_earn(crmkit_db *db, int64_t *out_points, int *out_replayed, int64_t programme_id,
                                  int64_t purchase_id);
/* Reverses the earn of a purchase for refunded_minor (> 0) more refunded; cumulative refunds R
** of amount A reverse floor(earned * min(R, A) / A) in total, and give back redemptions linked
** to the purchase in the same share. Policy reject: ECONFLICT when the points are spent. */
CRMKIT_API int crmkit_points_reverse_purchase(crmkit_db *db, int64_t *out_points, int *out_replayed,
                                              int64_t programme_id, int64_t purchase_id, int64_t refunded_minor,
                                              const char *external_id, int64_t as_of);
/* Spends points (> 0) when spendable >= points (ECONFLICT otherwise). order_id: the purchase
** the points pay for (its refund gives them back), or 0. */
CRMKIT_API int crmkit_points_redeem(crmkit_db *db, int64_t *out_points, int *out_replayed, int64_t programme_id,
                                   int64_t customer_id, int64_t points, const char *external_id, int64_t as_of,
                                   int64_t order_id);
/* Gives back points (0: all not yet given back) of the redemption with that external id, to
** the lots it consumed. */
CRMKIT_API int crmkit_points_reverse_redemption(crmkit_db *db, int64_t *out_points, int *out_replayed,
                                                int64_t programme_id, const char *redemption_external_id,
                                                int64_t points, const char *external_id, int64_t as_of);
/* A manual correction, non-zero, with a non-empty reason. */
CRMKIT_API int crmkit_points_adjust(crmkit_db *db, int64_t *out_points, int *out_replayed, int64_t programme_id,
                                   int64_t customer_id, int64_t points, const char *reason, const char *external_id,
                                   int64_t as_of);
/* Expires every lot remainder with expires_at <= as_of. external_id may be NULL
** ("expire@<as_of>"). *out_points is the total expired (<= 0). */
CRMKIT_API int crmkit_points_expire(crmkit_db *db, int64_t *out_points, int *out_replayed, int64_t programme_id,
                                   int64_t as_of, const char *external_id);
/* Tier review at as_of; *out_json (owned): {"reviewed", "downgraded", "upgraded"}; may be NULL. */
CRMKIT_API int crmkit_points_review_tiers(crmkit_db *db, char **out_json, int64_t programme_id, int64_t as_of);

/* Balance at as_of (available - debt; clamped at 0 unless the policy is allow_negative). */
CRMKIT_API int crmkit_points_balance(crmkit_db *db, int64_t *out_balance, int64_t programme_id,
                                    int64_t customer_id, int64_t as_of);
/* {"customer_id", "available", "pending", "debt", "balance", "spendable", "expiring_soon",
** "tier"}; expiring_soon counts points expiring within expiring_within_days (0..36600). */
CRMKIT_API int crmkit_points_balance_json(crmkit_db *db, char **out_json, int64_t programme_id,
                                         int64_t customer_id, int64_t as_of, int expiring_within_days);
/* Ledger entries by id, customer_id 0 for the whole programme, after an entry id (0: start);
** {"entries": [...], "next_after"}: pass next_after to continue, 0 when complete. limit 1..10000. */
CRMKIT_API int crmkit_points_ledger_json(crmkit_db *db, char **out_json, int64_t programme_id, int64_t customer_id,
                                        int64_t after, int limit);
/* The same as an iterator: _next gives CRMKIT_OK per entry, then CRMKIT_DONE. Getters read the
** current entry; kind and external id are borrowed until the next _next or _free.
** expires_at is 0 when the entry has none: _has_expiry tells. Getters on a finished or
** NULL iterator return 0 / "". */
CRMKIT_API int crmkit_points_ledger_iter_new(crmkit_db *db, crmkit_points_ledger_iter **out, int64_t programme_id,
                                            int64_t customer_id);
CRMKIT_API int crmkit_points_ledger_iter_next(crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_id(const crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_customer_id(const crmkit_points_ledger_iter *it);
CRMKIT_API const char *crmkit_points_ledger_iter_kind(const crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_points(const crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_created_at(const crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_effective_at(const crmkit_points_ledger_iter *it);
CRMKIT_API int crmkit_points_ledger_iter_has_expiry(const crmkit_points_ledger_iter *it);
CRMKIT_API int64_t crmkit_points_ledger_iter_expires_at(const crmkit_points_ledger_iter *it);
CRMKIT_API const char *crmkit_points_ledger_iter_external_id(const crmkit_points_ledger_iter *it);
CRMKIT_API void crmkit_points_ledger_iter_free(crmkit_points_ledger_iter *it);

/* Programme liability at as_of: {"outstanding", "available", "pending", "debt", "members",
** "value_minor" (null without a point value), "currency"}. */
CRMKIT_API int crmkit_points_liability_json(crmkit_db *db, char **out_json, int64_t programme_id, int64_t as_of);
/* Members per tier, highest first, then those below every tier: [{"tier", "members"}]. */
CRMKIT_API int crmkit_points_tier_mix_json(crmkit_db *db, char **out_json, int64_t programme_id);
/* A member's tier changes: [{"from", "to", "tier", "previous", "reason"}]. */
CRMKIT_API int crmkit_points_tier_history_json(crmkit_db *db, char **out_json, int64_t programme_id,
                                              int64_t customer_id);
/* Verifies the ledger invariants; ECORRUPT with the first violation in the message. */
CRMKIT_API int crmkit_points_check(crmkit_db *db, int64_t programme_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRMKIT_H */
