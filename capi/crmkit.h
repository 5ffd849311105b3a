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

/* ---------------------------------------------------------- surveys and metrics -- */
/* Survey responses are append-only facts: nps (score 0..10), csat (1..5), ces (1..7, CES 2.0:
** 7 = strongly agree it was easy) or custom (a scale given with the response). Metric results
** are owned JSON strings; a figure with no data behind it (no responses, zero denominator) is
** JSON null, never 0. Definitions: docs/LOYALTY_METRICS.md. */

/* Records one response of a standard kind. kind: "nps", "csat" or "ces"; score: an integer
** value (as a double) within the kind's scale; channel: as for interactions ("email", "web",
** ...); interaction_id: 0 for none, else an interaction of the same customer; comment and
** external_id: NULL for none. The same external_id with the same content returns the existing
** id (idempotent). *out_id receives the id (0 on failure).
** Errors: EINVALID (NULL out_id, unknown kind or channel, score NaN / out of range / not an
** integer, comment not UTF-8 or over 10,000 bytes), ENOTFOUND (customer or interaction does
** not exist), ECONFLICT (interaction of another customer; external_id names a different
** response), EREADONLY. Nothing is written on failure. */
CRMKIT_API int crmkit_survey_record(int64_t *out_id, crmkit_db *db, int64_t customer_id, const char *kind,
                                    double score, int64_t occurred_at, const char *channel,
                                    int64_t interaction_id, const char *comment, const char *external_id);

/* As crmkit_survey_record for a custom scale [scale_min, scale_max] (finite, min < max) with a
** direction "higher_is_better" or "lower_is_better"; score may be fractional. */
CRMKIT_API int crmkit_survey_record_custom(int64_t *out_id, crmkit_db *db, int64_t customer_id,
                                           double scale_min, double scale_max, const char *direction,
                                           double score, int64_t occurred_at, const char *channel,
                                           int64_t interaction_id, const char *comment,
                                           const char *external_id);

/* Records a JSON array of responses in one transaction (joining an open crmkit_db_begin).
** Each element: {"customer_id": int, "kind": str, "score": number, "occurred_at": int ms,
** "channel": str, optional "interaction_id", "comment", "external_id", and for custom
** "scale_min", "scale_max", "direction"}. skip_invalid = 0: the first bad row fails the call
** and nothing is written (the message names the row index); 1: bad rows are skipped.
** *out_json receives {"inserted":n,"duplicates":n,"ids":[...],"errors":[{"index":i,
** "status":"CRMKIT_EINVALID","message":"..."}]} (owned; crmkit_free). */
CRMKIT_API int crmkit_survey_record_batch_json(char **out_json, crmkit_db *db, const char *responses_json,
                                               int skip_invalid);

/* One response as an owned JSON object (fields as above plus "id"). ENOTFOUND if absent. */
CRMKIT_API int crmkit_survey_get_json(char **out_json, crmkit_db *db, int64_t id);

/* Survey metrics over responses with from <= occurred_at < to. from, to: NULL for an open
** end. by: NULL or "none" (one group "all"), "month" (calendar months UTC, every month of the
** period listed), "channel" (every channel listed) or "segment" (segments whose membership
** interval contains the response time; ENOTFOUND when the store has no segments tables).
** Result (owned JSON): {"metric":..,"by":..,"from":..,"to":..,"groups":[{"group":"2026-03",
** "responses":n, ...figures...}]}.
** NPS figures: promoters, passives, detractors, nps (-100..100), standard_error (null for
** fewer than 2 responses), ci_low, ci_high (normal approximation at `confidence`, a level in
** (0,1); pass 0 for 0.95). CSAT: satisfied, csat_percent (share of 4-5), mean_score. CES:
** mean_score (the CES), index (%6-7 - %1-3), percent_agree (%5-7), low, agree, high.
** Errors: EINVALID (from >= to, unknown by, bad confidence). */
CRMKIT_API int crmkit_survey_nps_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                      const char *by, double confidence);
CRMKIT_API int crmkit_survey_csat_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                       const char *by);
CRMKIT_API int crmkit_survey_ces_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                      const char *by);

/* Retention and repeat behaviour for the period [from, to) as owned JSON.
** activity: NULL or "recent_purchase" (active at t = a purchase in [t - active_days, t)) or
** "p_alive" (active at the end = customer_scores.p_alive >= p_alive_threshold; needs the
** customer value area's table, else ENOTFOUND). active_days: >= 1 (0 for the default 90).
** order_unit: NULL or "customer_day" (all purchases of a customer on one UTC day are one
** order) or "purchase". revenue: NULL or "gross" or "net" (purchases plus refunds). currency:
** NULL for the store's default currency. Result members: active_at_start, active_at_end,
** new_customers, retained, churned, retention_rate (|S & E|/|S|), classic_retention_rate
** ((E - N)/S), churn_rate, expected_lifetime_periods, purchasers, repeat_purchasers, orders,
** repeat_purchase_rate, purchase_frequency, currency, revenue, revenue_minor,
** currency_orders, average_order_value (major units). Errors: EINVALID (from >= to, bad
** enum strings, active_days out of 1..36500, threshold outside [0,1], bad currency). */
CRMKIT_API int crmkit_retention_json(char **out_json, crmkit_db *db, int64_t from, int64_t to,
                                     const char *activity, int active_days, double p_alive_threshold,
                                     const char *order_unit, const char *revenue, const char *currency);

/* Cohort retention matrix as owned JSON. by: NULL or "month" (calendar months) or "week"
** (Monday-start weeks); periods: columns k = 0..periods-1 (1..1000; 0 for the default 12);
** unbounded: 0 = purchase in exactly period c+k, 1 = in c+k or later; from, to: NULL or a
** bound on the first purchase of the cohorts shown; as_of: NULL for the end of the day of the
** last purchase (cells after it are null). Result: {"by":..,"unbounded":..,"periods":..,
** "cohorts":[{"cohort":"1997-01","start":ms,"size":n,"counts":[..],"retention":[1.0,..]}]}. */
CRMKIT_API int crmkit_retention_cohorts_json(char **out_json, crmkit_db *db, const char *by, int periods,
                                             int unbounded, const int64_t *from, const int64_t *to,
                                             const int64_t *as_of);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRMKIT_H */
