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

/* A customer record to create, upsert or update: built with setters, read by nothing else.
** Fields never set are "not given": unknown after create, untouched by upsert and update. */
typedef struct crmkit_customer crmkit_customer;
/* Filter for listing and counting customers (default: every customer). */
typedef struct crmkit_customer_filter crmkit_customer_filter;
/* Iterator over customers in id order. */
typedef struct crmkit_customer_iter crmkit_customer_iter;

CRMKIT_API int crmkit_customer_new(crmkit_customer **out);
CRMKIT_API void crmkit_customer_free(crmkit_customer *c);

/* Sets a text field by name. field is one of: external_id, kind ("person", "organization"),
** display_name, given_name, family_name, email, phone, birth_date ("YYYY-MM-DD"),
** gender ("F", "M", "X"), country (ISO 3166-1 alpha-2), region, city, postal_code,
** acquisition_channel, lifecycle_stage ("lead", "prospect", "customer", "churned"),
** attributes (a JSON object's text). value NULL un-sets the field in the record (not given).
** EINVALID: unknown field, invalid UTF-8, longer than the field's limit, unknown kind/stage.
** The value's format (email, phone, country, JSON...) is checked when the record is used. */
CRMKIT_API int crmkit_customer_set_text(crmkit_customer *c, const char *field, const char *value);
/* Acquisition cost in minor units (>= 0) of an ISO-4217 currency. */
CRMKIT_API int crmkit_customer_set_acquisition_cost(crmkit_customer *c, int64_t minor, const char *currency);
/* created_at (ms since the epoch, UTC): required by create and upsert (for an upsert that
** finds the customer it is the time of the change and becomes updated_at). */
CRMKIT_API int crmkit_customer_set_created_at(crmkit_customer *c, int64_t created_at);
/* Adds a tag; the record's tags replace the customer's whole tag set when used. */
CRMKIT_API int crmkit_customer_add_tag(crmkit_customer *c, const char *tag);
/* Names a field that crmkit_customer_update (or upsert of an existing customer) sets back to
** unknown: any text field above except kind and lifecycle_stage, "acquisition_cost",
** "attributes" (becomes {}) or "tags" (becomes empty). Unknown names are refused when used. */
CRMKIT_API int crmkit_customer_clear_field(crmkit_customer *c, const char *field);

/* Creates a customer from the record; *id receives its id.
** EINVALID (a field is malformed, created_at missing; the message names the field),
** ECONFLICT (external_id already used). Nothing is written on failure. */
CRMKIT_API int crmkit_customer_create(crmkit_db *db, const crmkit_customer *c, int64_t *id);
/* Creates or updates the customer with the record's external_id (required). Idempotent: the
** same record twice changes nothing. *id receives the id; created (may be NULL) is set to 1
** when a customer was created, 0 when an existing one was found. */
CRMKIT_API int crmkit_customer_upsert(crmkit_db *db, const crmkit_customer *c, int64_t *id, int *created);
/* As crmkit_customer_upsert, from a JSON object with the keys of crmkit_customer_get_json
** (without id and updated_at; acquisition_cost as {"minor": n, "currency": "EUR"}; attributes
** an object; created_at epoch ms or an ISO-8601 string; "clear": [names]). Unknown keys and
** wrong types are EINVALID. */
CRMKIT_API int crmkit_customer_upsert_json(crmkit_db *db, const char *json, int64_t *id, int *created);
/* Sets the fields given in the record and clears those named with crmkit_customer_clear_field.
** The record must not set created_at. ENOTFOUND, EINVALID, ECONFLICT (external_id taken). */
CRMKIT_API int crmkit_customer_update(crmkit_db *db, int64_t id, const crmkit_customer *c, int64_t updated_at);
/* Deletes a customer. ENOTFOUND; ECONFLICT while interactions or other facts refer to it. */
CRMKIT_API int crmkit_customer_delete(crmkit_db *db, int64_t id);
/* The customer as an owned JSON object (release with crmkit_free). ENOTFOUND. */
CRMKIT_API int crmkit_customer_get_json(crmkit_db *db, int64_t id, char **json);
CRMKIT_API int crmkit_customer_get_by_external_id_json(crmkit_db *db, const char *external_id, char **json);
/* The customers with this email (normalised first) as an owned JSON array, possibly []. */
CRMKIT_API int crmkit_customer_find_by_email_json(crmkit_db *db, const char *email, char **json);
/* The id of the customer with this external_id. ENOTFOUND (and *id = 0) when there is none. */
CRMKIT_API int crmkit_customer_find_id(crmkit_db *db, const char *external_id, int64_t *id);

CRMKIT_API int crmkit_customer_filter_new(crmkit_customer_filter **out);
CRMKIT_API void crmkit_customer_filter_free(crmkit_customer_filter *f);
/* created_at >= from and created_at < to (ms). */
CRMKIT_API int crmkit_customer_filter_set_created_from(crmkit_customer_filter *f, int64_t from);
CRMKIT_API int crmkit_customer_filter_set_created_to(crmkit_customer_filter *f, int64_t to);
CRMKIT_API int crmkit_customer_filter_set_tag(crmkit_customer_filter *f, const char *tag);
/* "lead", "prospect", "customer" or "churned"; EINVALID otherwise. */
CRMKIT_API int crmkit_customer_filter_set_lifecycle_stage(crmkit_customer_filter *f, const char *stage);
CRMKIT_API int crmkit_customer_filter_set_country(crmkit_customer_filter *f, const char *country);

/* Number of customers matching filter (NULL = all). */
CRMKIT_API int crmkit_customer_count(crmkit_db *db, const crmkit_customer_filter *filter, int64_t *count);

/* Iterates customers matching filter (NULL = all; copied, may be freed at once) in id order,
** starting after id `after` (0 = from the start), read in pages as it goes. The iterator keeps
** the database alive: it may outlive crmkit_db_close. One iterator is for one thread at a time. */
CRMKIT_API int crmkit_customer_iter_new(crmkit_customer_iter **out, crmkit_db *db,
                                        const crmkit_customer_filter *filter, int64_t after);
/* CRMKIT_OK with the next customer current, CRMKIT_DONE when exhausted (and ever after). */
CRMKIT_API int crmkit_customer_iter_next(crmkit_customer_iter *it);
/* Getters of the current customer (0 / NULL before the first next or after DONE). Strings are
** borrowed: valid until the next call on the iterator. NULL means unknown. */
CRMKIT_API int64_t crmkit_customer_iter_id(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_external_id(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_display_name(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_email(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_phone(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_country(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_kind(const crmkit_customer_iter *it);
CRMKIT_API const char *crmkit_customer_iter_lifecycle_stage(const crmkit_customer_iter *it);
CRMKIT_API int64_t crmkit_customer_iter_created_at(const crmkit_customer_iter *it);
CRMKIT_API int64_t crmkit_customer_iter_updated_at(const crmkit_customer_iter *it);
/* The current customer as owned JSON (as crmkit_customer_get_json). EMISUSE without one. */
CRMKIT_API int crmkit_customer_iter_json(const crmkit_customer_iter *it, char **json);
CRMKIT_API void crmkit_customer_iter_free(crmkit_customer_iter *it);

/* ================================================================== interactions == */
/* (section owned by the interactions area) */

/* An interaction record built with setters. Enums cross as strings:
**   channel: "email", "phone", "chat", "sms", "social", "web", "store", "other" (default)
**   kind: "purchase", "refund", "inquiry", "complaint", "support", "visit", "email_open",
**         "email_click", "meeting", "note", "other" (default)
**   direction: "inbound", "outbound", "none" (default)
** Amount rules (checked when recorded): a purchase needs an amount >= 0, a refund an amount
** <= 0, other kinds none; a margin only with an amount. */
typedef struct crmkit_interaction crmkit_interaction;
/* Many interactions recorded in one transaction. */
typedef struct crmkit_batch crmkit_batch;
/* What a committed batch did. */
typedef struct crmkit_batch_result crmkit_batch_result;
/* Iterator over one customer's timeline, newest first. */
typedef struct crmkit_interaction_iter crmkit_interaction_iter;

CRMKIT_API int crmkit_interaction_new(crmkit_interaction **out);
CRMKIT_API void crmkit_interaction_free(crmkit_interaction *rec);
CRMKIT_API int crmkit_interaction_set_customer_id(crmkit_interaction *rec, int64_t customer_id);
/* The idempotency key (NULL un-sets it). */
CRMKIT_API int crmkit_interaction_set_external_id(crmkit_interaction *rec, const char *external_id);
CRMKIT_API int crmkit_interaction_set_occurred_at(crmkit_interaction *rec, int64_t occurred_at);
/* EINVALID for a name not listed above. */
CRMKIT_API int crmkit_interaction_set_channel(crmkit_interaction *rec, const char *channel);
CRMKIT_API int crmkit_interaction_set_kind(crmkit_interaction *rec, const char *kind);
CRMKIT_API int crmkit_interaction_set_direction(crmkit_interaction *rec, const char *direction);
/* Amount in minor units of an ISO-4217 currency; sign and currency checked when recorded. */
CRMKIT_API int crmkit_interaction_set_amount(crmkit_interaction *rec, int64_t minor, const char *currency);
CRMKIT_API int crmkit_interaction_clear_amount(crmkit_interaction *rec);
/* Margin in minor units of the amount's currency. */
CRMKIT_API int crmkit_interaction_set_margin(crmkit_interaction *rec, int64_t margin);
CRMKIT_API int crmkit_interaction_clear_margin(crmkit_interaction *rec);
/* Text fields (NULL un-sets): subject (<= 1000 bytes), notes (<= 1,000,000 bytes), attributes
** (a JSON object's text). */
CRMKIT_API int crmkit_interaction_set_subject(crmkit_interaction *rec, const char *subject);
CRMKIT_API int crmkit_interaction_set_notes(crmkit_interaction *rec, const char *notes);
CRMKIT_API int crmkit_interaction_set_attributes(crmkit_interaction *rec, const char *json);

/* Records one interaction and updates its customer's figures in the same transaction; *id
** receives its id. With an external_id recorded before: the same content gives the existing
** id (CRMKIT_OK), different content ECONFLICT. EINVALID (the message names the field),
** ENOTFOUND (no such customer). Nothing is written on failure. */
CRMKIT_API int crmkit_interaction_record(crmkit_db *db, const crmkit_interaction *rec, int64_t *id);
/* As crmkit_interaction_record, from a JSON object with the keys of crmkit_interaction_get_json
** (without id; customer_id, occurred_at and kind required; occurred_at epoch ms or ISO-8601;
** amount as {"minor": n, "currency": "EUR"}). */
CRMKIT_API int crmkit_interaction_record_json(crmkit_db *db, const char *json, int64_t *id);
/* The interaction as owned JSON. ENOTFOUND. */
CRMKIT_API int crmkit_interaction_get_json(crmkit_db *db, int64_t id, char **json);

CRMKIT_API int crmkit_batch_new(crmkit_batch **out);
CRMKIT_API void crmkit_batch_free(crmkit_batch *batch);
/* Appends a copy of rec (rec may be changed or freed afterwards). Nothing is checked yet. */
CRMKIT_API int crmkit_batch_add(crmkit_batch *batch, const crmkit_interaction *rec);
/* Appends one interaction given as a JSON object (as crmkit_interaction_record_json); a
** malformed object is refused here with EINVALID and not appended. */
CRMKIT_API int crmkit_batch_add_json(crmkit_batch *batch, const char *json);
/* Number of rows added. */
CRMKIT_API int64_t crmkit_batch_size(const crmkit_batch *batch);
/* Removes every row (the options stay). */
CRMKIT_API int crmkit_batch_clear(crmkit_batch *batch);
/* 0 (default): the first bad row fails the commit, nothing is written and the message starts
** "row N: ". 1: bad rows are skipped and listed in the result; the rest commits. */
CRMKIT_API int crmkit_batch_set_skip_invalid(crmkit_batch *batch, int skip_invalid);
/* Records every row in one transaction (joining an explicit crmkit_db_begin transaction if
** one is open). *out receives the result (NULL on failure). The batch itself is unchanged. */
CRMKIT_API int crmkit_batch_commit(crmkit_batch_result **out, crmkit_db *db, const crmkit_batch *batch);
CRMKIT_API void crmkit_batch_result_free(crmkit_batch_result *r);
/* Rows newly inserted, and rows whose external_id was recorded before with the same content. */
CRMKIT_API int64_t crmkit_batch_result_inserted(const crmkit_batch_result *r);
CRMKIT_API int64_t crmkit_batch_result_duplicates(const crmkit_batch_result *r);
/* The id of row `index` (0 for a skipped row or an index out of range). */
CRMKIT_API int64_t crmkit_batch_result_id(const crmkit_batch_result *r, int64_t index);
/* Skipped rows (skip_invalid only), in row order. */
CRMKIT_API int64_t crmkit_batch_result_error_count(const crmkit_batch_result *r);
/* The k-th skipped row: its index in the batch, its status (CRMKIT_E*) and a borrowed message
** (valid while r lives). Any out-pointer may be NULL. EINVALID when k is out of range. */
CRMKIT_API int crmkit_batch_result_error(const crmkit_batch_result *r, int64_t k, int64_t *row, int *status,
                                         const char **message);
/* {"inserted": n, "duplicates": n, "ids": [...], "errors": [{"row", "status", "message"}]}. */
CRMKIT_API int crmkit_batch_result_json(const crmkit_batch_result *r, char **json);

/* Iterates one customer's interactions newest first (ties by id, descending). channel and kind
** filter when not NULL; occurred_at >= from and < to (pass INT64_MIN / INT64_MAX for no bound).
** ENOTFOUND for an unknown customer, EINVALID for an unknown channel or kind. The iterator keeps
** the database alive (it may outlive crmkit_db_close) and reads in pages as it goes. */
CRMKIT_API int crmkit_interaction_iter_new(crmkit_interaction_iter **out, crmkit_db *db, int64_t customer_id,
                                           const char *channel, const char *kind, int64_t from, int64_t to);
/* CRMKIT_OK with the next interaction current, CRMKIT_DONE when exhausted (and ever after). */
CRMKIT_API int crmkit_interaction_iter_next(crmkit_interaction_iter *it);
/* Getters of the current interaction (0 / NULL without one). Strings are borrowed until the
** next call on the iterator. amount is 0 and currency NULL when the interaction has none. */
CRMKIT_API int64_t crmkit_interaction_iter_id(const crmkit_interaction_iter *it);
CRMKIT_API int64_t crmkit_interaction_iter_customer_id(const crmkit_interaction_iter *it);
CRMKIT_API int64_t crmkit_interaction_iter_occurred_at(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_external_id(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_channel(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_kind(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_direction(const crmkit_interaction_iter *it);
CRMKIT_API int64_t crmkit_interaction_iter_amount(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_currency(const crmkit_interaction_iter *it);
CRMKIT_API const char *crmkit_interaction_iter_subject(const crmkit_interaction_iter *it);
/* The current interaction as owned JSON. EMISUSE without one. */
CRMKIT_API int crmkit_interaction_iter_json(const crmkit_interaction_iter *it, char **json);
CRMKIT_API void crmkit_interaction_iter_free(crmkit_interaction_iter *it);

/* A customer's figures as owned JSON: {"customer_id", "interaction_count",
** "last_interaction_at", "purchase_count", "purchase_days", "refund_count",
** "first_purchase_at", "last_purchase_at", "money": [{"currency", "purchase_total",
** "refund_total", "margin_total"}]} (times null when unknown). ENOTFOUND. */
CRMKIT_API int crmkit_customer_figures_json(crmkit_db *db, int64_t customer_id, char **json);
/* Recomputes every customer's figures from the interactions (repair). */
CRMKIT_API int crmkit_interaction_rebuild_figures(crmkit_db *db);

/* ================================================================ customer value == */
/* (section owned by the value area: CLV models, scores, RFM) */

/* ================================================================== segmentation == */
/* (section owned by the segments area) */

/* ======================================================================= loyalty == */
/* (section owned by the loyalty area: surveys, retention, cohorts, points) */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRMKIT_H */
