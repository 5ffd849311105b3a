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
/* Rules are JSON (the language is described in docs/SEGMENTS.md) or its text form, e.g.
**   {"all": [{"field": "gender", "op": "eq", "value": "F"},
**            {"agg": "count", "where": {"kind": "purchase"}, "window": {"last": 6, "unit": "month"},
**             "op": "gte", "value": 3}]}
** as_of is ms since the epoch (UTC); windows, ages and day counts are taken relative to it.
** strict_nulls 0 (default): negative operators and "not" match customers whose value is
** missing; 1: SQL three-valued logic (missing never matches). A bad rule gives EINVALID with a
** message naming the node ("rule.all[1].value: expected a number ..."); a rule naming an
** unknown segment gives ENOTFOUND. Rules longer than 256 KiB are refused. */

typedef struct crmkit_segment_iter crmkit_segment_iter;

/* Number of customers matching rule_json as of as_of, without saving anything. */
CRMKIT_API int crmkit_segment_count(int64_t *out_count, crmkit_db *db, const char *rule_json, int64_t as_of,
                                    int strict_nulls);

/* The compiled statement: owned JSON {"sql": "...?1...", "params": [...], "rule": canonical}. */
CRMKIT_API int crmkit_segment_explain_json(char **out_json, crmkit_db *db, const char *rule_json,
                                           int64_t as_of, int strict_nulls);

/* Text form <-> JSON (owned strings). EINVALID for a malformed rule. */
CRMKIT_API int crmkit_segment_rule_from_text(char **out_json, const char *text);
CRMKIT_API int crmkit_segment_rule_to_text(char **out_text, const char *rule_json);

/* Saves a segment. kind "dynamic" (rule_json required) or "static" (rule_json NULL; members
** are added by hand). ECONFLICT: the name exists. ENOTFOUND: the rule names an unknown
** segment. out_id may be NULL. */
CRMKIT_API int crmkit_segment_create(int64_t *out_id, crmkit_db *db, const char *name, const char *kind,
                                     const char *rule_json, int strict_nulls);

/* A new rule version for a dynamic segment (earlier versions are kept). ECONFLICT when the
** rule would make segment references circular; EINVALID for a static segment. out_version
** may be NULL. */
CRMKIT_API int crmkit_segment_update(int *out_version, crmkit_db *db, const char *name, const char *rule_json,
                                     int strict_nulls);

/* Deletes a segment with its versions and history. ECONFLICT while another rule refers to it;
** ENOTFOUND when it does not exist. */
CRMKIT_API int crmkit_segment_delete(crmkit_db *db, const char *name);

/* Owned JSON: one segment {"id", "name", "kind", "description", "rule_version", "rule",
** "strict_nulls", "refreshed_at", "member_count"}; the list of them by name; the versions
** [{"version", "rule", "strict_nulls"}]. */
CRMKIT_API int crmkit_segment_get_json(char **out_json, crmkit_db *db, const char *name);
CRMKIT_API int crmkit_segment_list_json(char **out_json, crmkit_db *db);
CRMKIT_API int crmkit_segment_versions_json(char **out_json, crmkit_db *db, const char *name);

/* Evaluates a dynamic segment's current rule as of as_of and records who entered and who
** left, in one transaction. EINVALID when as_of precedes the previous refresh or the segment
** is static. out_entered / out_left may be NULL. */
CRMKIT_API int crmkit_segment_refresh(int64_t *out_entered, int64_t *out_left, crmkit_db *db, const char *name,
                                      int64_t as_of);

/* Static segments: a customer enters / leaves by hand at `at` (recorded in the history).
** *out_changed (may be NULL) is 1 if membership changed, 0 if it already was so. ENOTFOUND for
** an unknown customer; EINVALID for a dynamic segment. */
CRMKIT_API int crmkit_segment_add_customer(int *out_changed, crmkit_db *db, const char *name,
                                           int64_t customer_id, int64_t at);
CRMKIT_API int crmkit_segment_remove_customer(int *out_changed, crmkit_db *db, const char *name,
                                              int64_t customer_id, int64_t at);

/* Iterators over stays in segments (a stay is [entered_at, left_at)):
** members: the segment's current members, by customer id;
** for_customer: the segments a customer is in now, by segment name;
** history: stays of the segment that began or ended within [from, to). */
CRMKIT_API int crmkit_segment_members(crmkit_segment_iter **out, crmkit_db *db, const char *name);
CRMKIT_API int crmkit_segment_for_customer(crmkit_segment_iter **out, crmkit_db *db, int64_t customer_id);
CRMKIT_API int crmkit_segment_history(crmkit_segment_iter **out, crmkit_db *db, const char *name, int64_t from,
                                      int64_t to);
/* CRMKIT_OK with a row, CRMKIT_DONE at the end. Getters read the current row (0 / "" before the
** first row and after the end); segment_name is borrowed until the next call on the iterator.
** left_at is 0 and is_current 1 for an open stay; rule_version is 0 for a change by hand. */
CRMKIT_API int crmkit_segment_iter_next(crmkit_segment_iter *it);
CRMKIT_API int64_t crmkit_segment_iter_segment_id(const crmkit_segment_iter *it);
CRMKIT_API const char *crmkit_segment_iter_segment_name(const crmkit_segment_iter *it);
CRMKIT_API int64_t crmkit_segment_iter_customer_id(const crmkit_segment_iter *it);
CRMKIT_API int64_t crmkit_segment_iter_entered_at(const crmkit_segment_iter *it);
CRMKIT_API int64_t crmkit_segment_iter_left_at(const crmkit_segment_iter *it);
CRMKIT_API int crmkit_segment_iter_is_current(const crmkit_segment_iter *it);
CRMKIT_API int crmkit_segment_iter_rule_version(const crmkit_segment_iter *it);
CRMKIT_API void crmkit_segment_iter_free(crmkit_segment_iter *it);

/* ======================================================================= loyalty == */
/* (section owned by the loyalty area: surveys, retention, cohorts, points) */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRMKIT_H */
