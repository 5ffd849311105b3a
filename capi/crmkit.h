/*
** crmkit.h: the C API of crmkit, an embeddable CRM engine over SQLite.
**
** Conventions (the same for every function):
**   - Every fallible function returns int: CRMKIT_OK (0), or a negative CRMKIT_E* status.
**     Iterators return CRMKIT_DONE (1) when exhausted. Bindings need one rule: rc < 0 fails.
**   - Every out-parameter comes first, before the inputs (libgit2's rule): new handles, ids,
**     counts, owned JSON strings and other results, e.g. crmkit_customer_create(&id, db, c).
**     A function with several out-parameters takes them all first, in the order documented.
**     On failure a new handle or owned string is set to NULL; an id, count or other number is
**     only meaningful after CRMKIT_OK (0 where a function says so). Functions that return a
**     value directly (getters, destructors) have no out-parameter. Destructors return void
**     and accept NULL.
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
**   - Iterators are made by crmkit_<object>_iter_new (or crmkit_<object>_<rows>_iter_new when one
**     iterator type has several sources) and stepped with _next: CRMKIT_OK with a current row,
**     CRMKIT_DONE when exhausted (and ever after). Every getter answers the same way: 0 or NULL
**     without a current row (a NULL iterator, before the first _next, after CRMKIT_DONE), NULL
**     for a text the row does not have; strings are borrowed until the next call on the
**     iterator. _json, where an iterator has it, gives the current row as owned JSON, EMISUSE
**     without one. docs/C_API.md describes these conventions at length.
**   - Calls whose options grow take an options handle (crmkit_*_options_new, setters, _free);
**     NULL means every default, and values are checked by the call that uses them.
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
#define CRMKIT_VERSION_MINOR 2
#define CRMKIT_VERSION_PATCH 0
#define CRMKIT_VERSION_NUMBER 200 /* MAJOR*10000 + MINOR*100 + PATCH */
#define CRMKIT_VERSION_STRING "0.2.0"

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

/* Options for crmkit_db_open; defaults: read-write, create, busy timeout 5000 ms, mode 0600,
** a page cache of 64 MiB (256 MiB while a batch of interactions is being recorded). A setter
** given a value out of its range (a negative timeout, a mode beyond 07777, a cache outside
** 1..65536 MiB) returns EINVALID and leaves the options as they were. The page cache is taken
** only as pages are read, up to its bound. */
CRMKIT_API int crmkit_options_new(crmkit_options **out);
CRMKIT_API void crmkit_options_free(crmkit_options *opts);
CRMKIT_API int crmkit_options_set_read_only(crmkit_options *opts, int read_only);
CRMKIT_API int crmkit_options_set_create(crmkit_options *opts, int create);
CRMKIT_API int crmkit_options_set_busy_timeout(crmkit_options *opts, int milliseconds);
CRMKIT_API int crmkit_options_set_file_mode(crmkit_options *opts, int mode);
CRMKIT_API int crmkit_options_set_cache_mib(crmkit_options *opts, int mebibytes);
/* The cache's bound while a transaction that records a batch of interactions is open (MiB,
** 1..65536, default 256; see OpenOptions::write_cache_mib in crmkit/store.hpp). */
CRMKIT_API int crmkit_options_set_write_cache_mib(crmkit_options *opts, int mebibytes);
/* PostgreSQL only: the tenant, the schema that holds the store's tables (default "crmkit").
** 1..63 lower-case ASCII letters, digits and '_', not starting with a digit or "pg_";
** EINVALID otherwise, naming the rule. The name is always quoted in SQL, never spliced. */
CRMKIT_API int crmkit_options_set_tenant(crmkit_options *opts, const char *tenant);

/* Opens or creates a store and upgrades its schema. opts may be NULL for defaults.
** path is a database file (":memory:" for a private in-memory one), or a PostgreSQL
** connection URI ("postgresql://user@host:5432/db", "postgresql:///db?host=/run/postgresql";
** libpq's syntax, with its environment variables PGHOST, PGPASSWORD, ... for what it leaves
** out) whose tenant (crmkit_options_set_tenant) is created and migrated on first open.
** Fails with ECORRUPT for a file that is not a crmkit database (or is damaged) or a schema
** that holds tables but is not a crmkit tenant, EVERSION for one written by a newer crmkit,
** EIO when it cannot be opened or the server cannot be reached; a refused file is left byte
** for byte as it was, with no -wal/-shm files added. On PostgreSQL a lost connection fails
** the call in progress with EIO and is re-established by the next call outside a
** transaction. */
CRMKIT_API int crmkit_db_open(crmkit_db **out, const char *path, const crmkit_options *opts);

/* Closes the handle. Iterators and results made from it stay usable until freed. */
CRMKIT_API void crmkit_db_close(crmkit_db *db);

/* Message of the last failure on this handle; "" if none. Never NULL. */
CRMKIT_API const char *crmkit_db_error_message(crmkit_db *db);

/* Schema version of the open file. */
CRMKIT_API int crmkit_db_schema_version(int *out, crmkit_db *db);

/* Explicit transaction: every crmkit mutation between begin and commit is one atomic unit.
** Without one, each call is its own transaction. rollback undoes everything since begin. */
CRMKIT_API int crmkit_db_begin(crmkit_db *db);
CRMKIT_API int crmkit_db_commit(crmkit_db *db);
CRMKIT_API int crmkit_db_rollback(crmkit_db *db);
/* Savepoints inside the begin transaction: crmkit_db_release keeps what was written since the
** latest open savepoint, crmkit_db_rollback_to undoes it; either ends that savepoint and leaves
** the transaction open. They nest (each call ends the innermost). CRMKIT_EMISUSE without an
** open transaction, or without a savepoint to end. commit and rollback end every open
** savepoint with the transaction. For a long import: one commit for many batches, a batch
** that has to be redone undone alone. */
CRMKIT_API int crmkit_db_savepoint(crmkit_db *db);
CRMKIT_API int crmkit_db_release(crmkit_db *db);
CRMKIT_API int crmkit_db_rollback_to(crmkit_db *db);

/* Store settings, persisted in the file.
** default_region: the ISO 3166 alpha-2 region ("IT", "US") whose numbering plan reads phone
**   numbers given without a country code ("06 1234 5678" -> "+390612345678"), or "" for none
**   (then only numbers starting with '+' or "00" are accepted). EINVALID unless upper case and
**   a region libphonenumber has a plan for. crmkit_db_default_region returns it owned ("" if
**   none). Stores written before it had a calling code instead: see docs/CORE.md.
** default_currency: ISO-4217 code used where a currency is implied (rules, reports). */
CRMKIT_API int crmkit_db_set_default_region(crmkit_db *db, const char *region);
CRMKIT_API int crmkit_db_default_region(char **out, crmkit_db *db);
CRMKIT_API int crmkit_db_set_default_currency(crmkit_db *db, const char *currency);

/* ISO 4217 minor units of `code` (digits after the decimal point of its amounts): 2 for USD,
** 0 for JPY, 3 for KWD, 4 for CLF; 0 for the codes ISO gives none (XAU, XDR, XTS, XXX ...).
** EINVALID (naming the code) for anything not in the library's ISO 4217 table, which every
** currency argument is checked against. Needs no database. */
CRMKIT_API int crmkit_currency_minor_units(int *out, const char *code);

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

/* Creates a customer from the record; *out_id receives its id.
** EINVALID (a field is malformed, created_at missing; the message names the field),
** ECONFLICT (external_id already used). Nothing is written on failure. */
CRMKIT_API int crmkit_customer_create(int64_t *out_id, crmkit_db *db, const crmkit_customer *c);
/* Creates or updates the customer with the record's external_id (required). Idempotent: the
** same record twice changes nothing. *out_id receives the id; out_created (may be NULL) is set to 1
** when a customer was created, 0 when an existing one was found. */
CRMKIT_API int crmkit_customer_upsert(int64_t *out_id, int *out_created, crmkit_db *db, const crmkit_customer *c);
/* As crmkit_customer_upsert, from a JSON object with the keys of crmkit_customer_get_json
** (without id, updated_at and lifecycle_manual; acquisition_cost as {"minor": n, "currency": "EUR"}; attributes
** an object; created_at epoch ms or an ISO-8601 string; "clear": [names]). Unknown keys and
** wrong types are EINVALID. */
CRMKIT_API int crmkit_customer_upsert_json(int64_t *out_id, int *out_created, crmkit_db *db, const char *json);
/* Sets the fields given in the record and clears those named with crmkit_customer_clear_field.
** The record must not set created_at. ENOTFOUND, EINVALID, ECONFLICT (external_id taken). */
CRMKIT_API int crmkit_customer_update(crmkit_db *db, int64_t id, const crmkit_customer *c, int64_t updated_at);
/* Deletes a customer. ENOTFOUND; ECONFLICT while interactions or other facts refer to it. */
CRMKIT_API int crmkit_customer_delete(crmkit_db *db, int64_t id);
/* The customer as an owned JSON object (release with crmkit_free). ENOTFOUND.
** "lifecycle_manual" is true when the host gave the stage: automatic moves skip the customer. */
CRMKIT_API int crmkit_customer_get_json(char **out_json, crmkit_db *db, int64_t id);
CRMKIT_API int crmkit_customer_get_by_external_id_json(char **out_json, crmkit_db *db, const char *external_id);
/* The customers with this email (normalised first) as an owned JSON array, possibly []. */
CRMKIT_API int crmkit_customer_find_by_email_json(char **out_json, crmkit_db *db, const char *email);
/* The id of the customer with this external_id. ENOTFOUND (and *out_id = 0) when there is none. */
CRMKIT_API int crmkit_customer_find_id(int64_t *out_id, crmkit_db *db, const char *external_id);

/* ================================================================ contact points == */
/* (section owned by the customers area; docs/IDENTITY.md "Contact points")
** A customer's emails, phones, postal addresses, web addresses and social handles. type is
** "email", "phone", "address", "url" or "social"; a value is kept as given (trimmed), in a
** canonical spelling ("normalized") and as the "match_key" duplicate checks compare. At most
** one primary per customer and type; the primary email and phone are the customer's "email"
** and "phone" fields, changed with them in one transaction. Times are ms since the epoch. */

/* Adds a contact point; *out_id receives its id. label may be NULL; primary 1 makes it the
** primary of its type (the first of a type always is). ENOTFOUND (customer), EINVALID (type,
** value, label or at; the message names which and why), ECONFLICT (the customer already has
** that type with the same match key; the message names its id). Nothing is written on failure. */
CRMKIT_API int crmkit_contact_add(int64_t *out_id, crmkit_db *db, int64_t customer_id, const char *type,
                                  const char *value, const char *label, int primary, int64_t at);
/* One contact point as an owned JSON object: "id", "customer_id", "type", "value", "normalized",
** "match_key", "label", "primary", "verified_at", "invalid_since", "bounce_count", "created_at",
** "updated_at" (absent values null). ENOTFOUND. */
CRMKIT_API int crmkit_contact_get_json(char **out_json, crmkit_db *db, int64_t id);
/* A customer's contact points as an owned JSON array: by type, the primary first, then id. ENOTFOUND. */
CRMKIT_API int crmkit_contact_list_json(char **out_json, crmkit_db *db, int64_t customer_id);
/* Every customer's contact points of this type whose match key equals the value's, as an owned
** JSON array ordered by customer id: who else can be reached there. EINVALID for a bad value. */
CRMKIT_API int crmkit_contact_find_json(char **out_json, crmkit_db *db, const char *type, const char *value);
/* Makes it the primary of its type (the previous primary stays, not primary). ENOTFOUND. */
CRMKIT_API int crmkit_contact_set_primary(crmkit_db *db, int64_t id, int64_t at);
/* Sets the label, or clears it with NULL. ENOTFOUND, EINVALID (empty, over 100 bytes). */
CRMKIT_API int crmkit_contact_set_label(crmkit_db *db, int64_t id, const char *label, int64_t at);
/* The person proved they receive it: verified_at = at, invalid_since and bounce_count cleared. */
CRMKIT_API int crmkit_contact_mark_verified(crmkit_db *db, int64_t id, int64_t at);
/* A delivery failed: bounce_count + 1; hard (1: the address does not exist) also sets
** invalid_since unless already set. EINVALID for hard outside 0..1. */
CRMKIT_API int crmkit_contact_record_bounce(crmkit_db *db, int64_t id, int hard, int64_t at);
/* Deletes it; deleting the primary email or phone clears the customer's field. ENOTFOUND. */
CRMKIT_API int crmkit_contact_delete(crmkit_db *db, int64_t id, int64_t at);

/* =================================================================== audit trail == */
/* (docs/IDENTITY.md "Audit trail") Every change to a customer's fields and contact points
** appends entries in the change's transaction, with the handle's audit context. */

/* Sets this handle's audit context, recorded with every later change until set again:
** actor, reason, request_id (NULL or "" = none). EINVALID: not UTF-8, or over 200 bytes. */
CRMKIT_API int crmkit_db_set_audit_context(crmkit_db *db, const char *actor, const char *reason,
                                           const char *request_id);
/* Audit entries in change order as an owned JSON object {"entries": [{"id", "entity",
** "entity_id", "field", "old", "new" (JSON values, null when none), "actor", "reason",
** "request_id", "at"}], "next_after"} (pass next_after as after to continue; 0 = complete).
** Filters: entity NULL (any), "customer" or "contact_point"; entity_id 0 (any; needs entity);
** actor NULL (any); at >= *from and at < *to (NULL: unbounded); limit 1..10000. EINVALID names
** the bad filter. */
CRMKIT_API int crmkit_audit_list_json(char **out_json, crmkit_db *db, const char *entity, int64_t entity_id,
                                      const char *actor, const int64_t *from, const int64_t *to, int64_t after,
                                      int limit);
/* Starts hash chaining (idempotent): every later entry carries HMAC-SHA-256 keyed by the previous
** chained entry's hash over its own fields, so a past entry edited, removed or reordered is
** detected by crmkit_audit_verify_json. */
CRMKIT_API int crmkit_audit_start_chain(crmkit_db *db);
/* Recomputes the chain: an owned JSON object {"chained", "checked", "first_broken" (the first
** entry that breaks it; 0 when intact), "reason"}. */
CRMKIT_API int crmkit_audit_verify_json(char **out_json, crmkit_db *db);

/* ======================================================================= erasure == */
/* (docs/PRIVACY.md "Erasure") Erases the customer's personal data in one transaction dated at
** (ms since the epoch): display_name and external_id become "ERASED:<id>", the other personal
** fields are cleared, its contact points are deleted and its emails and phones suppressed
** (reason "erased"), free text and consent evidence are set to NULL, merge records removed,
** audit entries redacted ("old"/"new" read "[redacted]"); purchases and points are kept. The
** customer's JSON then has "erased_at". On a SQLite file the WAL is then checkpointed and
** truncated; with verify != 0 every file of the store is scanned for the erased values.
** *out_json (owned) receives the report {"customer_id", "erased_at", "pseudonym",
** "contact_points_removed", "suppressed", "rows_redacted": {table: n}, "rows_removed": {table: n},
** "audit_entries_redacted", "checkpointed", "scan": null or {"verified", "reason", "clean",
** "files": [{"file", "exists", "bytes"}], "values": [{"source", "bytes", "forms", "hits":
** [{"file", "offset", "form"}]}], "skipped", "bytes_scanned", "hits"}}; the report never holds
** an erased value. On PostgreSQL scan.verified is false and scan.reason says why (a client cannot
** read the server's files). Statuses: EINVALID (customer_id <= 0, at outside 0001..9999),
** ENOTFOUND (no such customer), ECONFLICT (already erased: "customer 7 is already erased (at
** ...)"); nothing is written on error. An erased customer's update and new contact points are
** refused with ECONFLICT, and its suppressed email or phone with ECONFLICT naming the reason. */
CRMKIT_API int crmkit_customer_erase_json(char **out_json, crmkit_db *db, int64_t customer_id, int64_t at,
                                          int verify);

/* ========================================================= subject-access export == */
/* Every stored row that references the customer, in every area, as one deterministic owned
** JSON document {"format": "crmkit-subject-export/1", "customer_id", "tables": {"<table>":
** [rows as objects of stored columns]}} (docs/PRIVACY.md). ENOTFOUND. */
CRMKIT_API int crmkit_subject_export_json(char **out_json, crmkit_db *db, int64_t customer_id);
/* The same rows as a CSV bundle written to directory (UTF-8 path): one <table>.csv per table of
** the JSON document (a header of stored column names, the rows in the document's order; NULL an
** empty field, empty text ""), and manifest.json. *out_json receives the manifest's text,
** {"format": "crmkit-subject-export-csv/1", "customer_id", "files": [{"table", "file", "rows"}]}.
** Written into a hidden directory beside it and renamed when complete: on any error nothing is
** left. directory may be missing or empty; its parent must exist. EINVALID (NULL, empty or
** invalid UTF-8 path), ENOTFOUND (no such customer), ECONFLICT (directory is a file or is not
** empty; left untouched), EIO (parent missing, a write failed). */
CRMKIT_API int crmkit_subject_export_csv(char **out_json, crmkit_db *db, int64_t customer_id, const char *directory);
/* ========================================================================= merge == */
/* (section owned by the identity area; docs/IDENTITY.md "Merge")
** A merge folds absorbed customers into a survivor in one transaction: every row that refers
** to an absorbed record moves to the survivor (a copy of something the survivor has is removed
** instead), figures are recomputed, a purpose withdrawn on any record is withdrawn on the
** survivor, and the absorbed records are deleted. request_json is {"survivor": id, "absorbed":
** [ids], "field_choices": {"field": id}} (field_choices optional: the record each named field
** is taken from). A plan is {"survivor", "absorbed", "fields": [{"field", "old", "new",
** "source"}], "tables": [{"table", "moved", "changed", "removed", "added", "recomputed"}],
** "consent": [{"channel", "purpose", "withdrawn_on"}], "rows"}; a merge record is {"id",
** "survivor", "absorbed", "held_by", "plan", "actor", "reason", "at", "undone_at"}.
** EINVALID: malformed JSON, no absorbed record, more than 10 records or 200,000 rows, a record
** named twice or merged into itself, an unknown field or a chosen record not in the merge.
** ENOTFOUND: a record or merge that does not exist. ECONFLICT: an erased record. */

/* The dry run: the owned JSON plan of what crmkit_merge_json would do; nothing is written. */
CRMKIT_API int crmkit_merge_plan_json(char **out_json, crmkit_db *db, const char *request_json, int64_t at);
/* Merges; *out_json receives the owned JSON merge record (its "id" is what undo takes). */
CRMKIT_API int crmkit_merge_json(char **out_json, crmkit_db *db, const char *request_json, int64_t at);
/* Undoes a merge: every row it touched back as it was, the absorbed records with their ids.
** ECONFLICT when it was undone already, when its survivor was merged again or deleted (undo
** that first), when an absorbed id was taken since, or when the survivor's fields changed
** since (the message names them; force = 1 puts them back as they were before the merge).
** *out_json receives the owned JSON merge record. EINVALID for force other than 0 or 1. */
CRMKIT_API int crmkit_merge_undo_json(char **out_json, crmkit_db *db, int64_t merge_id, int64_t at, int force);
/* One merge record as owned JSON. ENOTFOUND. */
CRMKIT_API int crmkit_merge_get_json(char **out_json, crmkit_db *db, int64_t merge_id);
/* The merges a customer holds (as survivor, or from records it absorbed), newest first, as an
** owned JSON array; [] when none. */
CRMKIT_API int crmkit_merge_list_json(char **out_json, crmkit_db *db, int64_t customer_id);

/* ======================================================= consent and suppression == */
/* (section owned by the identity area; docs/PRIVACY.md)
** The consent ledger is append-only: events are recorded, never changed or deleted. channel is
** "email", "sms", "phone", "post", "push" or "all" (every channel); lawful_basis "consent",
** "contract", "legal_obligation", "vital_interest", "public_interest" or "legitimate_interest";
** action "grant", "withdraw", "request_double_opt_in", "confirm" or "expire"; purpose
** "marketing", "profiling", "transactional" or one the host registered. A state is "none",
** "granted", "pending", "withdrawn" or "expired", derived at as_of from the latest event on the
** channel or on "all" (a withdraw wins at equal instants). Times are ms since the epoch. */

/* Records an event; *out_id receives its id. contact_point_id and expires_at may be NULL (none);
** the four evidence texts may be NULL. ENOTFOUND (customer, contact point), EINVALID (a bad
** name, an unregistered purpose, a contact point of another customer or of a type the channel
** does not reach, an empty or long source or evidence or one with a control character, a bad time, expires_at not after at or
** given on withdraw/expire; the message names which), ECONFLICT (confirm with nothing pending).
** Nothing is written on failure. */
CRMKIT_API int crmkit_consent_record(int64_t *out_id, crmkit_db *db, int64_t customer_id,
                                     const int64_t *contact_point_id, const char *channel, const char *purpose,
                                     const char *lawful_basis, const char *action, const char *source,
                                     const char *evidence_form, const char *evidence_text_version,
                                     const char *evidence_ip, const char *evidence_user_agent, int64_t at,
                                     const int64_t *expires_at);
/* One event as an owned JSON object: "id", "customer_id", "contact_point_id", "channel",
** "purpose", "lawful_basis", "action", "source", "evidence" {"form", "text_version", "ip",
** "user_agent"}, "at", "expires_at" (absent values null). ENOTFOUND. */
CRMKIT_API int crmkit_consent_get_json(char **out_json, crmkit_db *db, int64_t id);
/* A customer's events as an owned JSON array, by at then id. ENOTFOUND. */
CRMKIT_API int crmkit_consent_events_json(char **out_json, crmkit_db *db, int64_t customer_id);
/* The state at as_of as an owned JSON object: "customer_id", "channel", "purpose", "state",
** "deciding" (the event, or null), "until" (when a grant or request lapses, or lapsed; null),
** "as_of". ENOTFOUND (customer); EINVALID (channel "all", an unregistered purpose, a bad time). */
CRMKIT_API int crmkit_consent_state_json(char **out_json, crmkit_db *db, int64_t customer_id, const char *channel,
                                         const char *purpose, int64_t as_of);
/* Every state the customer's events decide at as_of, as an owned JSON array of such objects, by
** purpose then channel. ENOTFOUND; EINVALID (a bad time). */
CRMKIT_API int crmkit_consent_states_json(char **out_json, crmkit_db *db, int64_t customer_id, int64_t as_of);
/* Registers a purpose (a-z, 0-9, '_', 1..64 characters, starting with a letter); description
** may be NULL. Registering it again with the same description is a no-op. EINVALID (name,
** description, at), ECONFLICT (registered with another description). */
CRMKIT_API int crmkit_consent_add_purpose(crmkit_db *db, const char *name, const char *description, int64_t at);
/* The purposes as an owned JSON array of {"name", "description", "built_in", "created_at"}. */
CRMKIT_API int crmkit_consent_purposes_json(char **out_json, crmkit_db *db);
/* How long a double opt-in request stays pending, in ms (default 604800000, 7 days). */
CRMKIT_API int crmkit_consent_double_opt_in_ttl(int64_t *out_ms, crmkit_db *db);
/* Sets it, 60000 (1 minute) to 31622400000 (366 days); EINVALID outside. */
CRMKIT_API int crmkit_consent_set_double_opt_in_ttl(crmkit_db *db, int64_t ms);

/* The suppression list: emails and phones no customer may be given again (creating or updating
** a customer, or adding a contact point, with one fails ECONFLICT naming the reason and date).
** type is "email" or "phone"; value is read as a contact point and kept only as a salted
** SHA-256 hash (HMAC) of its match key. reason is "erased", "bounced", "complaint" or "manual".
** A row is the JSON object {"type", "hash", "reason", "at"}. */
/* Suppresses the value; *out_json receives the stored row (the first one, unchanged, when it was
** already suppressed). EINVALID (type, value, reason, at). */
CRMKIT_API int crmkit_suppression_add_json(char **out_json, crmkit_db *db, const char *type, const char *value,
                                           const char *reason, int64_t at);
/* The row for the value as owned JSON, or the text null when it is not suppressed. EINVALID. */
CRMKIT_API int crmkit_suppression_find_json(char **out_json, crmkit_db *db, const char *type, const char *value);
/* *out_suppressed = 1 when the value is suppressed, else 0. EINVALID. */
CRMKIT_API int crmkit_suppression_check(int *out_suppressed, crmkit_db *db, const char *type, const char *value);
/* Lifts a manual suppression. ENOTFOUND (not suppressed), ECONFLICT (suppressed for another
** reason: erasures, bounces and complaints stay), EINVALID. */
CRMKIT_API int crmkit_suppression_remove(crmkit_db *db, const char *type, const char *value);

/* ==================================================================== duplicates == */
/* (section owned by the identity area; docs/IDENTITY.md "Duplicates in the store")
** Weighted, explainable duplicate detection over the store's customers. A candidate is the
** JSON object {"a", "b", "score", "verdict" ("duplicate" or "suspect"; explain may also give
** "distinct"), "fired": [{"rule" (1-based), "text", "weight"}]}. */

/* The store's rule set as an owned JSON object (the defaults until one is saved):
** {"duplicate_threshold", "suspect_from", "rules": [{"weight", "all_of": [{"field",
** "comparator", "prefix_length"?, "threshold"?}]}]}. */
CRMKIT_API int crmkit_duplicates_rules_json(char **out_json, crmkit_db *db);
/* Saves a rule set given in that form. EINVALID names the key, rule or condition at fault;
** nothing is written then. */
CRMKIT_API int crmkit_duplicates_set_rules_json(crmkit_db *db, const char *rules_json, int64_t at);
/* Real-time: the customers that may be this one, as an owned JSON array of candidates (a is
** customer_id), highest score first; found through indexed look-ups only. ENOTFOUND. */
CRMKIT_API int crmkit_duplicates_check_json(char **out_json, crmkit_db *db, int64_t customer_id);
/* The same for a record not stored yet (before a create, upsert or import): the record's fields
** are checked as crmkit_customer_create would (EINVALID), nothing is written, and each
** candidate's "a" is 0. A customer with the record's external_id is a candidate. */
CRMKIT_API int crmkit_duplicates_check_record_json(char **out_json, crmkit_db *db, const crmkit_customer *record);
/* Import preview: what importing these customers would do, with nothing written (a read-only
** store works). records_json is a JSON array of customer objects as crmkit_customer_upsert_json
** takes; each is judged in order as an upsert (with external_id) or a create would judge it.
** Owned JSON {"rows": [{"line" (1-based position), "action" ("create", "update" or "error"),
** "customer_id" (update of a stored customer), "earlier_line" (update of one an earlier record
** creates), "candidates" (as crmkit_duplicates_check_record_json), "same_contact_lines"
** (earlier records with the same email or phone), "error_code", "error"}], "totals": {"rows",
** "create", "update", "error", "with_duplicates", "with_suspects", "with_same_contact"}}. A record
** that is refused (malformed, invalid, suppressed) is an error row, not a failure. EINVALID when
** records_json is not a JSON array (docs/IDENTITY.md "Import preview"). */
CRMKIT_API int crmkit_customer_import_preview_json(char **out_json, crmkit_db *db, const char *records_json);
/* Batch: every candidate pair of the store, as an owned JSON object {"customers",
** "pairs_compared", "all_pairs", "blocks_skipped", "ignored", "candidates": [...]}. */
CRMKIT_API int crmkit_duplicates_scan_json(char **out_json, crmkit_db *db);
/* The Fellegi-Sunter mode: weights estimated from the store's customers by EM over the blocked
** pairs, then every pair at or above the threshold (threshold NULL: the estimated one,
** log2((1-p)/p)), as an owned JSON object {"fields": [{"field", "partial_threshold", "m", "u",
** "weight"}], "match_share", "threshold", "iterations", "converged", "customers",
** "pairs_compared", "all_pairs", "ignored", "pairs": [{"a", "b", "weight", "parts": [{"field",
** "level", "weight"}]}]}; m, u and weight are [agree, partial, disagree]. EINVALID for a
** threshold that is not finite. */
CRMKIT_API int crmkit_duplicates_scan_fellegi_sunter_json(char **out_json, crmkit_db *db, const double *threshold);
/* One pair's score and fired rules as an owned JSON candidate. ENOTFOUND; EINVALID for a == b. */
CRMKIT_API int crmkit_duplicates_explain_json(char **out_json, crmkit_db *db, int64_t a, int64_t b);
/* Records that a and b are not the same person; no check or scan proposes them again.
** Idempotent. ENOTFOUND; EINVALID for a == b or a bad time. */
CRMKIT_API int crmkit_duplicates_ignore(crmkit_db *db, int64_t a, int64_t b, int64_t at);

/* Lifecycle stages (docs/CORE.md). A recorded purchase makes a lead, prospect or churned
** customer a customer in the recording transaction, unless the host set the stage. */
/* The store's churn rule as owned JSON: {"churn_rule": "no_purchase"|"p_alive",
** "window_days", "p_alive_threshold"} (defaults no_purchase, 180, 0.5). */
CRMKIT_API int crmkit_customer_lifecycle_rule_json(char **out_json, crmkit_db *db);
/* Saves the churn rule. churn_rule "no_purchase" (churned: no purchase in the window_days
** before as_of) or "p_alive" (churned: the stored score's P(alive) < p_alive_threshold).
** EINVALID: NULL/unknown rule, window_days outside 1..36500, threshold NaN or outside 0..1. */
CRMKIT_API int crmkit_customer_set_lifecycle_rule(crmkit_db *db, const char *churn_rule, int64_t window_days,
                                                  double p_alive_threshold);
/* Applies the churn rule at as_of (ms instant) to every customer with a purchase before it:
** churned when the rule says so, otherwise customer. Customers whose stage the host set are
** skipped unless override_manual is 1 (their stage is then automatic again). Atomic; a rerun
** at the same as_of moves nobody. Owned JSON: {"as_of", "rule": {...}, "evaluated", "moves":
** [{"from", "to", "customers"}]}. EINVALID: as_of out of range; rule p_alive without scores
** made at as_of (crmkit_value_score / crmkit_value_score_json with the same as_of). */
CRMKIT_API int crmkit_customer_update_lifecycle_json(char **out_json, crmkit_db *db, int64_t as_of,
                                                     int override_manual);

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
CRMKIT_API int crmkit_customer_count(int64_t *out_count, crmkit_db *db, const crmkit_customer_filter *filter);

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
CRMKIT_API int crmkit_customer_iter_json(char **out_json, const crmkit_customer_iter *it);
CRMKIT_API void crmkit_customer_iter_free(crmkit_customer_iter *it);
/* Every customer field as an owned JSON array, in the order of crmkit_customer_get_json's keys:
** [{"name", "type" ("integer", "text", "date", "choice", "money", "instant", "flag",
** "json_object" or "tags"), "given" (create, upsert and update take it), "clearable" (accepted
** by crmkit_customer_clear_field), "choices" (a choice field's names, else []), "description"}].
** Needs no database. */
CRMKIT_API int crmkit_customer_fields_json(char **out_json);

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

/* Records one interaction and updates its customer's figures in the same transaction; *out_id
** receives its id. With an external_id recorded before: the same content gives the existing
** id (CRMKIT_OK), different content ECONFLICT. EINVALID (the message names the field),
** ENOTFOUND (no such customer). Nothing is written on failure. */
CRMKIT_API int crmkit_interaction_record(int64_t *out_id, crmkit_db *db, const crmkit_interaction *rec);
/* As crmkit_interaction_record, from a JSON object with the keys of crmkit_interaction_get_json
** (without id; customer_id, occurred_at and kind required; occurred_at epoch ms or ISO-8601;
** amount as {"minor": n, "currency": "EUR"}). */
CRMKIT_API int crmkit_interaction_record_json(int64_t *out_id, crmkit_db *db, const char *json);
/* The interaction as owned JSON. ENOTFOUND. */
CRMKIT_API int crmkit_interaction_get_json(char **out_json, crmkit_db *db, int64_t id);

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
/* 0 (default): a row without an external_id is identified by its natural key (customer,
** occurred_at, channel, kind, direction, amount, currency, margin, subject, notes,
** attributes): a row recorded before by a batch, or earlier in this one, is a duplicate and
** gets the existing id, so a batch can be run again safely. 1: such rows are always recorded
** (true repeats, e.g. two identical purchases in the same millisecond). */
CRMKIT_API int crmkit_batch_set_allow_repeats(crmkit_batch *batch, int allow_repeats);
/* Records every row in one transaction (joining an explicit crmkit_db_begin transaction if
** one is open). *out receives the result (NULL on failure). The batch itself is unchanged. */
CRMKIT_API int crmkit_batch_commit(crmkit_batch_result **out, crmkit_db *db, const crmkit_batch *batch);
CRMKIT_API void crmkit_batch_result_free(crmkit_batch_result *r);
/* Rows newly inserted, and rows recorded before (duplicates: the sum of the two reasons below). */
CRMKIT_API int64_t crmkit_batch_result_inserted(const crmkit_batch_result *r);
CRMKIT_API int64_t crmkit_batch_result_duplicates(const crmkit_batch_result *r);
/* Duplicates by reason: same external_id (and content), or no external_id and the same
** natural key (see crmkit_batch_set_allow_repeats). */
CRMKIT_API int64_t crmkit_batch_result_duplicate_external_ids(const crmkit_batch_result *r);
CRMKIT_API int64_t crmkit_batch_result_duplicate_natural_keys(const crmkit_batch_result *r);
/* The id of row `index` (0 for a skipped row or an index out of range). */
CRMKIT_API int64_t crmkit_batch_result_id(const crmkit_batch_result *r, int64_t index);
/* Skipped rows (skip_invalid only), in row order. */
CRMKIT_API int64_t crmkit_batch_result_error_count(const crmkit_batch_result *r);
/* The k-th skipped row: its index in the batch, its status (CRMKIT_E*) and a borrowed message
** (valid while r lives). Any out-pointer may be NULL. EINVALID when k is out of range. */
CRMKIT_API int crmkit_batch_result_error(int64_t *out_row, int *out_status, const char **out_message,
                                         const crmkit_batch_result *r, int64_t k);
/* {"inserted": n, "duplicates": n, "duplicates_by_reason": {"same_external_id": n,
** "same_natural_key": n}, "ids": [...], "errors": [{"row", "status", "message"}]}. */
CRMKIT_API int crmkit_batch_result_json(char **out_json, const crmkit_batch_result *r);

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
CRMKIT_API int crmkit_interaction_iter_json(char **out_json, const crmkit_interaction_iter *it);
CRMKIT_API void crmkit_interaction_iter_free(crmkit_interaction_iter *it);

/* A customer's figures as owned JSON: {"customer_id", "interaction_count",
** "last_interaction_at", "purchase_count", "purchase_days", "refund_count",
** "first_purchase_at", "last_purchase_at", "money": [{"currency", "purchase_total",
** "refund_total", "margin_total"}]} (times null when unknown). ENOTFOUND. */
CRMKIT_API int crmkit_customer_figures_json(char **out_json, crmkit_db *db, int64_t customer_id);
/* Recomputes every customer's figures from the interactions (repair). */
CRMKIT_API int crmkit_interaction_rebuild_figures(crmkit_db *db);

/* ================================================================ customer value == */
/* (section owned by the value area: CLV models, scores, RFM; docs/VALUE.md) */

/* Model inputs: purchases of one currency strictly before the calibration end are merged per
** UTC day (amounts summed); per customer x = distinct purchase days - 1, t_x = last - first
** purchase day, T = calibration end day - first purchase day, in the model unit ("day" or
** "week" = 7 days, not rounded). A date D as calibration end is the instant D+1 00:00 UTC. */

/* Fits a model on the store's purchases and saves it.
** kind: "bgnbd", "pnbd" (Pareto/NBD), "mbgnbd" or "gg" (Gamma-Gamma spend, repeat buyers only).
** unit: "day" or "week". calibration_end: ms instant (exclusive). fitted_at: ms instant recorded
** as the fit time (the library has no clock). currency: NULL for the store default.
** *out_model_id receives the new model's id.
** EINVALID: NULL/unknown kind or unit, bad currency, or data that cannot identify the model
** (no customers, no repeat buyers, every purchase on the calibration end day, no positive
** repeat spend) - nothing is written. EREADONLY on a read-only database. */
CRMKIT_API int crmkit_value_fit(int64_t *out_model_id, crmkit_db *db, const char *kind, const char *unit,
                                int64_t calibration_end, int64_t fitted_at, const char *currency);
/* As crmkit_value_fit with the optimiser's settings: the same crmkit_clv_fit_options handle the
** plain-data fits take (declared with them below; NULL = every default). Its penalizer
** (crmkit_clv_fit_options_set_penalizer, lifetimes' penalizer_coef) is recorded in the saved
** model ("penalizer_coef" in crmkit_value_model_json). EINVALID, before anything is read or
** written: a penalizer that is negative or not finite (named "penalizer_coef"), and what
** crmkit_value_fit refuses. */
typedef struct crmkit_clv_fit_options crmkit_clv_fit_options;
CRMKIT_API int crmkit_value_fit_with(int64_t *out_model_id, crmkit_db *db, const char *kind, const char *unit,
                                     int64_t calibration_end, int64_t fitted_at, const char *currency,
                                     const crmkit_clv_fit_options *options);

/* A saved model as owned JSON: {"id", "kind", "params": {name: value}, "std_errors": {name:
** value} or null, "log_likelihood", "customers", "time_unit", "calibration_end", "data_from",
** "fitted_at", "converged", "currency", "iterations", "reason", "penalizer_coef"}. ENOTFOUND for an
** unknown id. */
CRMKIT_API int crmkit_value_model_json(char **out_json, crmkit_db *db, int64_t model_id);

/* Every saved model, newest first, as an owned JSON array of the objects above. */
CRMKIT_API int crmkit_value_models_json(char **out_json, crmkit_db *db);

/* Scoring options: a handle whose unset members keep their defaults (options NULL: every
** default). Values are checked when scoring, naming the option.
**   model:       the transaction model: NULL (default) for the best log-likelihood among the
**                models of the most recent calibration (calibration end, unit, currency and
**                cohort of the model with the latest calibration end; ties to the latest fit),
**                "bgnbd", "pnbd" or "mbgnbd" (the default choice among that kind), or a saved
**                model id in decimal digits. EINVALID for anything else.
**   spend_model: a saved Gamma-Gamma model id for expected spend and predicted CLV, 0 = none
**                (default); EINVALID when negative.
**   horizon:     > 0 in unit "day", "week" or "month" (default 12 month).
**   discount_rate: monthly discount rate of the CLV cash flow (default 0.01).
**   margin_rate: the share of spend counted as value, 0..1 (default 1). */
typedef struct crmkit_score_options crmkit_score_options;
CRMKIT_API int crmkit_score_options_new(crmkit_score_options **out);
CRMKIT_API void crmkit_score_options_free(crmkit_score_options *options);
CRMKIT_API int crmkit_score_options_set_model(crmkit_score_options *options, const char *model);
CRMKIT_API int crmkit_score_options_set_spend_model(crmkit_score_options *options, int64_t spend_model_id);
CRMKIT_API int crmkit_score_options_set_horizon(crmkit_score_options *options, double horizon, const char *unit);
CRMKIT_API int crmkit_score_options_set_discount_rate(crmkit_score_options *options, double monthly_discount_rate);
CRMKIT_API int crmkit_score_options_set_margin_rate(crmkit_score_options *options, double margin_rate);

/* Scores every customer as of `as_of` (ms instant) and replaces the customer_scores table in
** one transaction: P(alive), expected purchases over the horizon, and - with a spend model -
** expected spend and predicted CLV (monthly discounted cash flow over round(horizon in months)
** months). Customers with no purchase in the model's currency get a row with null predictions.
** *out_scored (may be NULL) receives the number of customers with predictions.
** EINVALID: NaN/infinite/non-positive horizon, negative or NaN rates, margin_rate outside 0..1,
** a gg model as transaction model, a non-gg spend model, currencies that differ. ENOTFOUND:
** no such model saved. Nothing is written on failure. */
CRMKIT_API int crmkit_value_score(int64_t *out_scored, crmkit_db *db, int64_t as_of,
                                  const crmkit_score_options *options);
/* As crmkit_value_score, returning what was done as owned JSON: {"as_of", "model": {the
** model's JSON: id, kind, params, calibration_end, data_from, time_unit, ...}, "spend_model",
** "customers", "scored", "total_expected_purchases", "total_predicted_clv", "currency",
** "warnings": [{"code", "message"}]}. Warning codes: "before_calibration_end" (as_of before the
** model's calibration end) and "far_beyond_data" (the last purchase before as_of is more days
** before it than the calibration period - calibration end day minus data_from day - is long). */
CRMKIT_API int crmkit_value_score_json(char **out_json, crmkit_db *db, int64_t as_of,
                                       const crmkit_score_options *options);

/* One customer's scores as owned JSON: {"customer_id", "model_id", "spend_model_id",
** "scored_at", "p_alive", "expected_purchases", "horizon", "horizon_unit", "expected_spend",
** "predicted_clv", "repeat_purchases", "currency"} (null where not applicable).
** ENOTFOUND when the customer has no scores. */
CRMKIT_API int crmkit_value_customer_scores_json(char **out_json, crmkit_db *db, int64_t customer_id);

/* Every stored score row (the last scoring run, every customer) in customer id order, starting
** after customer id `after` (0 = from the start), read in pages as it goes: memory does not grow
** with the number of customers. The iterator keeps the database alive. */
typedef struct crmkit_score_iter crmkit_score_iter;
CRMKIT_API int crmkit_score_iter_new(crmkit_score_iter **out, crmkit_db *db, int64_t after);
/* CRMKIT_OK and moves to the next row, or CRMKIT_DONE after the last. */
CRMKIT_API int crmkit_score_iter_next(crmkit_score_iter *it);
/* Getters of the current row (0, NaN or NULL without one). A prediction the row does not have
** (no purchase history in the model's currency; no spend model) is NaN; model ids are 0 when
** absent; currency and horizon_unit are borrowed until the next call on the iterator. */
CRMKIT_API int64_t crmkit_score_iter_customer_id(const crmkit_score_iter *it);
CRMKIT_API int64_t crmkit_score_iter_model_id(const crmkit_score_iter *it);
CRMKIT_API int64_t crmkit_score_iter_spend_model_id(const crmkit_score_iter *it);
CRMKIT_API int64_t crmkit_score_iter_scored_at(const crmkit_score_iter *it);
CRMKIT_API double crmkit_score_iter_p_alive(const crmkit_score_iter *it);
CRMKIT_API double crmkit_score_iter_expected_purchases(const crmkit_score_iter *it);
CRMKIT_API double crmkit_score_iter_horizon(const crmkit_score_iter *it);
CRMKIT_API const char *crmkit_score_iter_horizon_unit(const crmkit_score_iter *it);
CRMKIT_API double crmkit_score_iter_expected_spend(const crmkit_score_iter *it);
CRMKIT_API double crmkit_score_iter_predicted_clv(const crmkit_score_iter *it);
CRMKIT_API const char *crmkit_score_iter_currency(const crmkit_score_iter *it);
/* Bulk read for bindings and columnar hosts: moves up to `capacity` rows forward (as that many
** _next calls) and writes row i's values at index i of each array that is not NULL (each must
** hold `capacity` elements). *out_rows receives the rows written; CRMKIT_DONE (with 0) when no
** row was left. The current row is then the last one written, unless fewer than `capacity`
** were left: the iterator then ran past its end, as _next would, and has no current row. */
CRMKIT_API int crmkit_score_iter_columns(int64_t *out_rows, crmkit_score_iter *it, int64_t capacity,
                                         int64_t *customer_id, double *p_alive, double *expected_purchases,
                                         double *expected_spend, double *predicted_clv);
/* The current row as owned JSON (as crmkit_value_customer_scores_json); EMISUSE without one. */
CRMKIT_API int crmkit_score_iter_json(char **out_json, const crmkit_score_iter *it);
CRMKIT_API void crmkit_score_iter_free(crmkit_score_iter *it);

/* The model inputs (above) of every customer with a purchase in `currency` (NULL: the store
** default) before calibration_end, in customer id order; unit "day" or "week". Computed when
** the iterator is made: from the kept per-customer histories (one row per customer) when no
** purchase in the currency is at or after calibration_end, else from the purchases.
** EINVALID: NULL/unknown unit, bad currency, calibration_end out of range. */
typedef struct crmkit_model_input_iter crmkit_model_input_iter;
CRMKIT_API int crmkit_model_input_iter_new(crmkit_model_input_iter **out, crmkit_db *db, int64_t calibration_end,
                                           const char *unit, const char *currency);
CRMKIT_API int crmkit_model_input_iter_next(crmkit_model_input_iter *it);
/* Getters of the current row (0 without one). x: repeat purchase days; t_x, T: in the unit;
** mean_spend: mean repeat-day spend in major units (0 when x = 0); first and last purchase:
** ms instants. */
CRMKIT_API int64_t crmkit_model_input_iter_customer_id(const crmkit_model_input_iter *it);
CRMKIT_API double crmkit_model_input_iter_x(const crmkit_model_input_iter *it);
CRMKIT_API double crmkit_model_input_iter_t_x(const crmkit_model_input_iter *it);
CRMKIT_API double crmkit_model_input_iter_T(const crmkit_model_input_iter *it);
CRMKIT_API double crmkit_model_input_iter_mean_spend(const crmkit_model_input_iter *it);
CRMKIT_API int64_t crmkit_model_input_iter_first_purchase(const crmkit_model_input_iter *it);
CRMKIT_API int64_t crmkit_model_input_iter_last_purchase(const crmkit_model_input_iter *it);
/* Bulk read, as crmkit_score_iter_columns. */
CRMKIT_API int crmkit_model_input_iter_columns(int64_t *out_rows, crmkit_model_input_iter *it, int64_t capacity,
                                               int64_t *customer_id, double *x, double *t_x, double *T,
                                               double *mean_spend);
CRMKIT_API void crmkit_model_input_iter_free(crmkit_model_input_iter *it);

/* Holdout check of a saved transaction model: actual purchases (distinct days) in
** [calibration_end, holdout_end) against the model's expectation, by calibration frequency
** 0..6 and 7+: owned JSON {"holdout_length", "actual_total", "predicted_total", "bins":
** [{"frequency", "customers", "actual_mean", "predicted_mean"}]}. EINVALID when holdout_end is
** not after the calibration end or the model is a gg model. */
CRMKIT_API int crmkit_value_validate_json(char **out_json, crmkit_db *db, int64_t model_id, int64_t holdout_end);

/* RFM as of `as_of` (ms instant; a purchase on the day before it has recency 0) for every
** customer with a purchase before it; replaces the stored assignment (customer_rfm, with the
** run's as_of, map name and version in rfm_run) in one transaction, writing only changed rows.
** options_json: NULL for every default, or a JSON object (all members optional):
**   "method": "ntile" (default: equal-count buckets, ties by customer id), "quantile" (R
**     package rfm 0.3.0 cut points), "qcut" (pandas notebook idiom) or "custom" (needs "cuts");
**   "bins": 1..9 scores (default 5; the highest is best);
**   "frequency": "orders" (default) or "days";
**   "map": a built-in map name (default "rf_grid"; crmkit_value_rfm_maps_json), or
**   "custom_map": a JSON array of rules [{"name": "...", "r": [lo, hi], "f": [lo, hi],
**     "m": [lo, hi]}] evaluated first match, or an object {"name", "version", "unmatched",
**     "rules": [...]} or {"name", "cells": {"Segment": ["555", ...]}}; unmatched scores get
**     "Others";
**   "currency": the monetary currency (default the store's);
**   "cuts": {"recency": [..], "frequency": [..], "monetary": [..]} (method custom: ascending cut
**     points; score = 1 + cut points <= value, recency reversed);
**   "customers": true (default) | false: list the customers in the result;
**   "scan": true: always read interactions instead of the per-customer figures.
** The result (owned JSON): {"as_of", "method", "map_name", "map_version", "currency",
** "from_figures", "segments": [{"segment", "customers", "orders", "revenue"}], "customers":
** [{"customer_id", "recency_days", "frequency", "monetary", "monetary_minor", "currency", "r",
** "f", "m", "rfm_score", "segment", "map_name", "map_version", ...}]}.
** EINVALID: unknown members or bad values, malformed map JSON. ENOTFOUND: unknown map name.
** ECONFLICT: a custom map reusing a built-in name, or a stored (name, version) with a different
** definition. Nothing is written on failure. */
CRMKIT_API int crmkit_value_rfm_assign_json(char **out_json, crmkit_db *db, int64_t as_of,
                                            const char *options_json);

/* The same assignment (and storage) as crmkit_value_rfm_assign_json ("customers" is ignored),
** returned as an iterator over the customers in id order. */
typedef struct crmkit_rfm_iter crmkit_rfm_iter;
CRMKIT_API int crmkit_rfm_iter_new(crmkit_rfm_iter **out, crmkit_db *db, int64_t as_of, const char *options_json);
/* CRMKIT_OK and moves to the next customer, or CRMKIT_DONE after the last. */
CRMKIT_API int crmkit_rfm_iter_next(crmkit_rfm_iter *it);
/* Getters of the current row. monetary is in minor units of crmkit_rfm_iter_currency(). */
CRMKIT_API int64_t crmkit_rfm_iter_customer_id(const crmkit_rfm_iter *it);
CRMKIT_API int64_t crmkit_rfm_iter_recency_days(const crmkit_rfm_iter *it);
CRMKIT_API int64_t crmkit_rfm_iter_frequency(const crmkit_rfm_iter *it);
CRMKIT_API int64_t crmkit_rfm_iter_monetary(const crmkit_rfm_iter *it);
CRMKIT_API int crmkit_rfm_iter_r(const crmkit_rfm_iter *it);
CRMKIT_API int crmkit_rfm_iter_f(const crmkit_rfm_iter *it);
CRMKIT_API int crmkit_rfm_iter_m(const crmkit_rfm_iter *it);
CRMKIT_API const char *crmkit_rfm_iter_segment(const crmkit_rfm_iter *it);
CRMKIT_API const char *crmkit_rfm_iter_currency(const crmkit_rfm_iter *it);
/* The current row as owned JSON; EMISUSE when the iterator is not on a row. */
CRMKIT_API int crmkit_rfm_iter_json(char **out_json, const crmkit_rfm_iter *it);
CRMKIT_API void crmkit_rfm_iter_free(crmkit_rfm_iter *it);

/* A customer's current RFM assignment as owned JSON (the customer object above). ENOTFOUND when
** the customer has none. */
CRMKIT_API int crmkit_value_customer_rfm_json(char **out_json, crmkit_db *db, int64_t customer_id);

/* The built-in segment maps as an owned JSON array of {"name", "version", "description",
** "unmatched", "rules" | "cells"}: rf_grid, rfm_readme, rfm_tests, rfm_cells, r_vs_fm. */
CRMKIT_API int crmkit_value_rfm_maps_json(char **out_json);

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
CRMKIT_API int crmkit_segment_members_iter_new(crmkit_segment_iter **out, crmkit_db *db, const char *name);
CRMKIT_API int crmkit_segment_for_customer_iter_new(crmkit_segment_iter **out, crmkit_db *db,
                                                    int64_t customer_id);
CRMKIT_API int crmkit_segment_history_iter_new(crmkit_segment_iter **out, crmkit_db *db, const char *name,
                                               int64_t from, int64_t to);
/* Getters of the current stay: left_at is 0 and is_current 1 for an open stay; rule_version is
** 0 for a change by hand. */
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
** integer, occurred_at outside years 0001..9999, comment not UTF-8 or over 10,000 bytes), ENOTFOUND (customer or interaction does
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
                                           int64_t interaction_id, const char *comment, const char *external_id);

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
** Errors: EINVALID (from >= to, a bound outside years 0001..9999, unknown by, bad
** confidence). */
CRMKIT_API int crmkit_survey_nps_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                      const char *by, double confidence);
CRMKIT_API int crmkit_survey_csat_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                       const char *by);
CRMKIT_API int crmkit_survey_ces_json(char **out_json, crmkit_db *db, const int64_t *from, const int64_t *to,
                                      const char *by);

/* Retention options: a handle whose unset members keep their defaults (options NULL: every
** default). Values are checked by crmkit_retention_json, naming the option.
**   activity:  "recent_purchase" (default: active at t = a purchase in [t - active_days, t)) or
**              "p_alive" (active at the end = customer_scores.p_alive >= p_alive_threshold;
**              needs the customer value area's table, else ENOTFOUND);
**   active_days: 1..36500 (default 90);
**   p_alive_threshold: 0..1 (default 0.5);
**   order_unit: "customer_day" (default: all purchases of a customer on one UTC day are one
**              order) or "purchase";
**   revenue:   "gross" (default) or "net" (purchases plus refunds);
**   currency:  the revenue currency; NULL (default) for the store's default currency.
** The enum setters refuse an unknown name at once with EINVALID. */
typedef struct crmkit_retention_options crmkit_retention_options;
CRMKIT_API int crmkit_retention_options_new(crmkit_retention_options **out);
CRMKIT_API void crmkit_retention_options_free(crmkit_retention_options *options);
CRMKIT_API int crmkit_retention_options_set_activity(crmkit_retention_options *options, const char *activity);
CRMKIT_API int crmkit_retention_options_set_active_days(crmkit_retention_options *options, int active_days);
CRMKIT_API int crmkit_retention_options_set_p_alive_threshold(crmkit_retention_options *options,
                                                               double threshold);
CRMKIT_API int crmkit_retention_options_set_order_unit(crmkit_retention_options *options, const char *order_unit);
CRMKIT_API int crmkit_retention_options_set_revenue(crmkit_retention_options *options, const char *revenue);
CRMKIT_API int crmkit_retention_options_set_currency(crmkit_retention_options *options, const char *currency);

/* Retention and repeat behaviour for the period [from, to) as owned JSON. Result members:
** active_at_start, active_at_end, new_customers, retained, churned, retention_rate
** (|S & E|/|S|), classic_retention_rate ((E - N)/S), churn_rate, expected_lifetime_periods,
** purchasers, repeat_purchasers, orders, repeat_purchase_rate, purchase_frequency, currency,
** revenue, revenue_minor, currency_orders, average_order_value (major units). Errors: EINVALID
** (from >= to, a bound outside years 0001..9999, active_days out of 1..36500, threshold
** outside [0,1], bad currency). */
CRMKIT_API int crmkit_retention_json(char **out_json, crmkit_db *db, int64_t from, int64_t to,
                                     const crmkit_retention_options *options);

/* Cohort options (options NULL: every default), checked by crmkit_retention_cohorts_json:
**   by:        "month" (default: calendar months) or "week" (Monday-start weeks);
**   periods:   columns k = 0..periods-1, 1..1000 (default 12);
**   unbounded: 0 (default) = purchase in exactly period c+k, 1 = in c+k or later;
**   from, to:  bounds on the first purchase of the cohorts shown (default none);
**   as_of:     default the end of the day of the last purchase (cells after it are null). */
typedef struct crmkit_cohort_options crmkit_cohort_options;
CRMKIT_API int crmkit_cohort_options_new(crmkit_cohort_options **out);
CRMKIT_API void crmkit_cohort_options_free(crmkit_cohort_options *options);
CRMKIT_API int crmkit_cohort_options_set_by(crmkit_cohort_options *options, const char *by);
CRMKIT_API int crmkit_cohort_options_set_periods(crmkit_cohort_options *options, int periods);
CRMKIT_API int crmkit_cohort_options_set_unbounded(crmkit_cohort_options *options, int unbounded);
CRMKIT_API int crmkit_cohort_options_set_from(crmkit_cohort_options *options, int64_t from);
CRMKIT_API int crmkit_cohort_options_set_to(crmkit_cohort_options *options, int64_t to);
CRMKIT_API int crmkit_cohort_options_set_as_of(crmkit_cohort_options *options, int64_t as_of);

/* Cohort retention matrix as owned JSON: {"by":..,"unbounded":..,"periods":..,
** "cohorts":[{"cohort":"1997-01","start":ms,"size":n,"counts":[..],"retention":[1.0,..]}]}. */
CRMKIT_API int crmkit_retention_cohorts_json(char **out_json, crmkit_db *db, const crmkit_cohort_options *options);

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
CRMKIT_API int crmkit_points_programme_create(int64_t *out_id, crmkit_db *db, const char *spec_json);
/* Id of the programme with this name; ENOTFOUND. */
CRMKIT_API int crmkit_points_programme_find(int64_t *out_id, crmkit_db *db, const char *name);
/* The programme as an owned JSON object (free with crmkit_free); all programmes as an array. */
CRMKIT_API int crmkit_points_programme_json(char **out_json, crmkit_db *db, int64_t programme_id);
CRMKIT_API int crmkit_points_programmes_json(char **out_json, crmkit_db *db);

/* Enrols a customer; the same call again is a no-op, another enrolled_at is ECONFLICT.
** Purchases recorded from enrolled_at on earn automatically. */
CRMKIT_API int crmkit_points_enroll(crmkit_db *db, int64_t programme_id, int64_t customer_id, int64_t enrolled_at);

/* Earns for a purchase interaction (idempotent per programme and purchase). EINVALID for a
** non-purchase, another currency or a purchase before enrolment. */
CRMKIT_API int crmkit_points_earn(int64_t *out_points, int *out_replayed, crmkit_db *db, int64_t programme_id,
                                  int64_t purchase_id);
/* Reverses the earn of a purchase for refunded_minor (> 0) more refunded; cumulative refunds R
** of amount A reverse floor(earned * min(R, A) / A) in total, and give back redemptions linked
** to the purchase in the same share. Policy reject: ECONFLICT when the points are spent.
** EINVALID when the refunds recorded for the purchase would total past INT64_MAX. */
CRMKIT_API int crmkit_points_reverse_purchase(int64_t *out_points, int *out_replayed, crmkit_db *db,
                                              int64_t programme_id, int64_t purchase_id, int64_t refunded_minor,
                                              const char *external_id, int64_t as_of);
/* Spends points (> 0) when spendable >= points (ECONFLICT otherwise). order_id: the purchase
** the points pay for (its refund gives them back), or 0. */
CRMKIT_API int crmkit_points_redeem(int64_t *out_points, int *out_replayed, crmkit_db *db, int64_t programme_id,
                                   int64_t customer_id, int64_t points, const char *external_id, int64_t as_of,
                                   int64_t order_id);
/* Gives back points (0: all not yet given back) of the redemption with that external id, to
** the lots it consumed. */
CRMKIT_API int crmkit_points_reverse_redemption(int64_t *out_points, int *out_replayed, crmkit_db *db,
                                                int64_t programme_id, const char *redemption_external_id,
                                                int64_t points, const char *external_id, int64_t as_of);
/* A manual correction, non-zero, with a non-empty reason. EINVALID when the member's credits
** plus negative adjustments would pass 2^61 points in total (docs/POINTS.md, "Totals"). */
CRMKIT_API int crmkit_points_adjust(int64_t *out_points, int *out_replayed, crmkit_db *db, int64_t programme_id,
                                   int64_t customer_id, int64_t points, const char *reason, const char *external_id,
                                   int64_t as_of);
/* Expires every lot remainder with expires_at <= as_of. external_id may be NULL
** ("expire@<as_of>"). *out_points is the total expired (<= 0); EINVALID when it would pass
** the int64 range. */
CRMKIT_API int crmkit_points_expire(int64_t *out_points, int *out_replayed, crmkit_db *db, int64_t programme_id,
                                   int64_t as_of, const char *external_id);
/* Tier review at as_of; *out_json (owned): {"reviewed", "downgraded", "upgraded"}; may be NULL. */
CRMKIT_API int crmkit_points_review_tiers(char **out_json, crmkit_db *db, int64_t programme_id, int64_t as_of);

/* Balance at as_of (available - debt; clamped at 0 unless the policy is allow_negative). */
CRMKIT_API int crmkit_points_balance(int64_t *out_balance, crmkit_db *db, int64_t programme_id,
                                    int64_t customer_id, int64_t as_of);
/* {"customer_id", "available", "pending", "debt", "balance", "spendable", "expiring_soon",
** "tier"}; expiring_soon counts points expiring within expiring_within_days (0..36600). */
CRMKIT_API int crmkit_points_balance_json(char **out_json, crmkit_db *db, int64_t programme_id,
                                         int64_t customer_id, int64_t as_of, int expiring_within_days);
/* Ledger entries by id, customer_id 0 for the whole programme, after an entry id (0: start);
** {"entries": [...], "next_after"}: pass next_after to continue, 0 when complete. limit 1..10000. */
CRMKIT_API int crmkit_points_ledger_json(char **out_json, crmkit_db *db, int64_t programme_id, int64_t customer_id,
                                        int64_t after, int limit);
/* The same as an iterator. expires_at is 0 when the entry has none: _has_expiry tells;
** external_id is NULL when the entry has none. */
CRMKIT_API int crmkit_points_ledger_iter_new(crmkit_points_ledger_iter **out, crmkit_db *db, int64_t programme_id,
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
** "value_minor" (null without a point value), "currency"}. The sums over members are exact
** JSON integers that may pass the int64 range (a parser reading int64 or doubles must allow
** for that). */
CRMKIT_API int crmkit_points_liability_json(char **out_json, crmkit_db *db, int64_t programme_id, int64_t as_of);
/* Members per tier, highest first, then those below every tier: [{"tier", "members"}]. */
CRMKIT_API int crmkit_points_tier_mix_json(char **out_json, crmkit_db *db, int64_t programme_id);
/* A member's tier changes: [{"from", "to", "tier", "previous", "reason"}]. */
CRMKIT_API int crmkit_points_tier_history_json(char **out_json, crmkit_db *db, int64_t programme_id,
                                              int64_t customer_id);
/* Verifies the ledger invariants; ECORRUPT with the first violation in the message. */
CRMKIT_API int crmkit_points_check(crmkit_db *db, int64_t programme_id);

/* ---- report ------------------------------------------------------------------------------
** The store's report (docs/REPORT.md): overview, revenue by month, top customers, customer
** value (CLV), most at risk, segments, RFM, loyalty (NPS, retention, cohorts) and points, as one
** owned JSON object. Options: a handle whose unset members keep their defaults.
**   as_of:    facts strictly before it (ms); default the end of the last day with a fact.
**   top:      rows in top customers and most at risk (default 10; 0 = every customer).
**   at_risk:  P(alive) below p_alive_below (default 0.5) and at least lost_below (default
**             0.05: customers under it are counted as already lost, not at risk).
**   currency: only this currency's money figures (default every currency, each apart).
**   cohorts:  columns (default 7) and how many monthly cohorts, the newest first-purchase
**             months before as_of (default 12).
** Money is {"currency": "EUR", "amount": "1234.50"} with the exact decimal amount as text (a
** sum across customers may pass 2^53 minor units); instants are ISO-8601 UTC text.
** options may be NULL (every default). Errors: EINVALID naming the bad option. */
typedef struct crmkit_report_options crmkit_report_options;
CRMKIT_API int crmkit_report_options_new(crmkit_report_options **out);
CRMKIT_API void crmkit_report_options_free(crmkit_report_options *options);
CRMKIT_API int crmkit_report_options_set_as_of(crmkit_report_options *options, int64_t as_of);
CRMKIT_API int crmkit_report_options_set_top(crmkit_report_options *options, int top);
CRMKIT_API int crmkit_report_options_set_at_risk(crmkit_report_options *options, double p_alive_below,
                                                 double lost_below);
/* NULL clears the filter. */
CRMKIT_API int crmkit_report_options_set_currency(crmkit_report_options *options, const char *currency);
CRMKIT_API int crmkit_report_options_set_cohorts(crmkit_report_options *options, int periods, int months);
CRMKIT_API int crmkit_report_json(char **out_json, crmkit_db *db, const crmkit_report_options *options);
/* The same report as one self-contained HTML page (owned UTF-8 text, release with crmkit_free):
** every section with its tables and SVG charts, inline CSS, nothing fetched, so it opens
** offline and as a mail attachment. Charts aggregate, so the page stays small for any number of
** customers. Same options and errors as crmkit_report_json. */
CRMKIT_API int crmkit_report_html(char **out_html, crmkit_db *db, const crmkit_report_options *options);

/* ================================================================== charts (SVG) == */
/* Charts of customer value, RFM and retention from plain arrays (no database): each returns
** one SVG document as owned UTF-8 text (release with crmkit_free) with a title, axis labels
** with units and a caption; docs/PLOTS.md describes them. Charts draw aggregates only, so the
** text stays small for any number of customers. A value that is NaN or infinite, arrays of
** different lengths or a bad name is EINVALID naming it ("actual_holdout[3] is NaN"); nothing
** is clamped or dropped silently. An array may be NULL only when its count is 0; a count
** is at most 100,000,000 (EINVALID above, before any value is read).
** Models are named "bg_nbd", "mbg_nbd" or "pareto_nbd" with their four parameters in storage
** order (r, alpha, a, b or r, alpha, s, beta); units are "hour", "day", "week" or "month". */
typedef struct crmkit_plot_options crmkit_plot_options;
/* Options (NULL: every default), checked by the chart call: size in pixels (width and height
** in 240..4000, default 720 x 440); a title replacing the chart's own (NULL: the chart's own);
** the data's period, added to the caption as "Period: ..." (NULL: none; RFM measures and
** segment counts do not carry their analysis date). Texts: at most 200 bytes, no control
** characters. */
CRMKIT_API int crmkit_plot_options_new(crmkit_plot_options **out);
CRMKIT_API void crmkit_plot_options_free(crmkit_plot_options *options);
CRMKIT_API int crmkit_plot_options_set_size(crmkit_plot_options *options, int width, int height);
CRMKIT_API int crmkit_plot_options_set_title(crmkit_plot_options *options, const char *title);
CRMKIT_API int crmkit_plot_options_set_period(crmkit_plot_options *options, const char *period);

/* Expected purchases in the next `horizon` units, and P(alive), for frequency x 0..max_frequency
** (rows) and recency t_x 0..max_recency (columns) at T = max_recency (lifetimes' matrices). */
CRMKIT_API int crmkit_plot_expected_purchases_matrix(char **out_svg, const char *model, const double *params,
                                                     double horizon, int max_frequency, int max_recency,
                                                     const char *unit, const crmkit_plot_options *options);
CRMKIT_API int crmkit_plot_p_alive_matrix(char **out_svg, const char *model, const double *params,
                                          int max_frequency, int max_recency, const char *unit,
                                          const crmkit_plot_options *options);
/* Per customer (count of each): calibration-period repeat purchases (whole numbers),
** holdout-period purchases and the model's prediction for the holdout period; the chart draws
** their means per calibration frequency 0..max_frequency. */
CRMKIT_API int crmkit_plot_calibration_holdout(char **out_svg, const double *frequency_cal,
                                               const double *actual_holdout, const double *predicted_holdout,
                                               int64_t count, double holdout_length, const char *unit,
                                               int max_frequency, const crmkit_plot_options *options);
/* The same chart from a model: each customer's calibration-period history (x repeat purchases,
** t_x, T in `unit`, as the model functions take them) and holdout purchases; the predictions
** for the holdout period are computed. */
CRMKIT_API int crmkit_plot_calibration_holdout_model(char **out_svg, const char *model, const double *params,
                                                     const double *x, const double *t_x, const double *T,
                                                     const double *actual_holdout, int64_t count,
                                                     double holdout_length, const char *unit, int max_frequency,
                                                     const crmkit_plot_options *options);
/* Actual and expected repeat purchases per period at ascending `time`; cumulative 1 draws
** running totals; calibration_end is marked. */
CRMKIT_API int crmkit_plot_repeat_purchases(char **out_svg, const double *time, const double *actual,
                                            const double *expected, int64_t count, double calibration_end,
                                            int cumulative, const char *unit, const crmkit_plot_options *options);
/* One customer's P(alive) from the first purchase to `end`; purchase_times ascending, in `unit`. */
CRMKIT_API int crmkit_plot_p_alive_history(char **out_svg, const char *model, const double *params,
                                           const double *purchase_times, int64_t count, double end,
                                           const char *unit, const crmkit_plot_options *options);
/* Mean monetary per (R score, F score): r and f scores 1..9 and monetary per customer. */
CRMKIT_API int crmkit_plot_rfm_heatmap(char **out_svg, const int *r, const int *f, const double *monetary,
                                       int64_t count, const crmkit_plot_options *options);
/* Customers per segment, one bar each in the given order. */
CRMKIT_API int crmkit_plot_segment_bars(char **out_svg, const char *const *segments, const int64_t *customers,
                                        int64_t count, const crmkit_plot_options *options);
/* A histogram of one measure ("recency" in days or "frequency", whole numbers, or "monetary"),
** and a scatter of one measure against another. */
CRMKIT_API int crmkit_plot_rfm_histogram(char **out_svg, const char *measure, const double *values,
                                         int64_t count, const crmkit_plot_options *options);
CRMKIT_API int crmkit_plot_rfm_scatter(char **out_svg, const char *x_measure, const double *x,
                                       const char *y_measure, const double *y, int64_t count,
                                       const crmkit_plot_options *options);
/* Cohort retention: `cohorts` labels with their sizes, `retention` row-major cohorts x periods
** shares in 0..1; observed[i] periods of cohort i are observable (0..periods), the cells after
** them are drawn grey and their retention values are not read. by: "month" or "week";
** unbounded 1: retained means a purchase in period k or later (captions only). */
CRMKIT_API int crmkit_plot_cohort_retention(char **out_svg, const char *by, int unbounded,
                                            const char *const *cohorts, const int64_t *sizes,
                                            const double *retention, const int *observed, int64_t cohort_count,
                                            int periods, const crmkit_plot_options *options);

/* -------------------------------------------------------------- charts of a store -- */
/* The charts above drawn from a database, without gathering their data (crmkit/charts.hpp,
** docs/PLOTS.md "Charts of a store"). chart names (crmkit_chart_list_json lists them, with what
** each needs): "expected-purchases", "p-alive", "calibration-holdout", "repeat-purchases",
** "p-alive-history" (a saved transaction model), "rfm-heatmap", "rfm-segments", "recency-histogram",
** "frequency-histogram", "monetary-histogram", "rf-scatter", "fm-scatter", "rm-scatter" (the
** stored RFM run), "cohort-retention" (purchases). Read only.
** Chart options (NULL: every default), checked by crmkit_db_chart naming the member:
**   set_model:       a saved transaction model's id; 0 (default) = the default model (the best
**                    log-likelihood on the most recent calibration).
**   set_as_of:       ms instant, exclusive (NULL = default): p-alive-history's end (default: the
**                    model's calibration end); repeat-purchases' end (default: the day of the
**                    last purchase); cohort-retention's last observable instant.
**   set_customer:    p-alive-history's customer (required).
**   set_holdout_end: calibration-holdout's end of the holdout (required; NULL clears).
**   set_grid:        expected-purchases' horizon in the model's unit (> 0, default 1); the
**                    matrices' max_frequency and max_recency, and calibration-holdout's last
**                    frequency (-1 = default: from the model's calibration data; 7).
**   set_cumulative:  repeat-purchases: 1 = running totals, 0 (default) = per period; EINVALID
**                    at once for any other value.
**   set_cohorts:     cohort-retention's period "month" or "week" (EINVALID at once otherwise),
**                    columns 1..400 (default 12) and newest cohorts 1..400 (default 12). */
typedef struct crmkit_chart_options crmkit_chart_options;
CRMKIT_API int crmkit_chart_options_new(crmkit_chart_options **out);
CRMKIT_API void crmkit_chart_options_free(crmkit_chart_options *options);
CRMKIT_API int crmkit_chart_options_set_model(crmkit_chart_options *options, int64_t model_id);
CRMKIT_API int crmkit_chart_options_set_as_of(crmkit_chart_options *options, const int64_t *as_of);
CRMKIT_API int crmkit_chart_options_set_customer(crmkit_chart_options *options, int64_t customer_id);
CRMKIT_API int crmkit_chart_options_set_holdout_end(crmkit_chart_options *options, const int64_t *holdout_end);
CRMKIT_API int crmkit_chart_options_set_grid(crmkit_chart_options *options, double horizon, int max_frequency,
                                             int max_recency);
CRMKIT_API int crmkit_chart_options_set_cumulative(crmkit_chart_options *options, int cumulative);
CRMKIT_API int crmkit_chart_options_set_cohorts(crmkit_chart_options *options, const char *by, int periods,
                                                int cohorts);
/* One chart of the database as an owned SVG document (release with crmkit_free); *out_svg is
** NULL after any failure. plot_options: size, title, period (NULL: defaults; an unset period is
** filled with the model and its calibration, or the RFM run's date and map).
** EINVALID: NULL db/out_svg/chart, an unknown chart name, a bad option (named: "holdout_end is
** required for calibration-holdout", "customer_id 0 ...", "model 3 is gg, a spend model"),
** or a bad plot option. ENOTFOUND naming what the database lacks: no saved transaction model,
** an unknown model id, no RFM run, an unknown customer or one without purchases in the model's
** currency, no purchase for cohorts. */
CRMKIT_API int crmkit_db_chart(char **out_svg, crmkit_db *db, const char *chart, const crmkit_chart_options *options,
                               const crmkit_plot_options *plot_options);
/* The store charts as owned JSON: {"charts": [{"name", "needs", "draws"}]}, in order. */
CRMKIT_API int crmkit_chart_list_json(char **out_json);

/* ==================================================== CLV maths on the caller's columns == */
/* The plain-data layer of crmkit/clv.hpp (docs/CLV.md, "Plain data"): no database. Every
** function runs behind the one guard; on failure crmkit_last_error_message() names the argument
** and the problem. Columns are caller arrays of `rows` values (a column may be NULL only when
** rows is 0); out arrays hold `rows` values. Status codes: CRMKIT_OK; CRMKIT_EINVALID for a
** NULL handle, column or out-parameter, rows < 0, an unknown name (period, unit, model), or data
** the maths refuses (the message names the row: "amount[3] = -2 is negative"); CRMKIT_ENOMEM;
** CRMKIT_EINTERNAL for a bug. Nothing else. */

/* Summary options (lifetimes' summary_data_from_transaction_data options), a handle whose new
** state is every default: period "day" with periods_per_unit 1, observation end = the latest
** purchase, first purchase not counted. options NULL in a call: every default.
**   set_period: "hour", "day", "week" (Monday..Sunday) or "month"; periods_per_unit > 0
**               (lifetimes' freq_multiplier: "day", 7 reports weeks between whole days),
**               checked by the call. EINVALID for an unknown period.
**   set_observation_end: ms instant; purchases in later periods are left out (counted).
**   set_include_first_purchase: nonzero = lifetimes' include_first_transaction. */
typedef struct crmkit_clv_summary_options crmkit_clv_summary_options;
CRMKIT_API int crmkit_clv_summary_options_new(crmkit_clv_summary_options **out);
CRMKIT_API void crmkit_clv_summary_options_free(crmkit_clv_summary_options *options);
CRMKIT_API int crmkit_clv_summary_options_set_period(crmkit_clv_summary_options *options, const char *period,
                                                     double periods_per_unit);
CRMKIT_API int crmkit_clv_summary_options_set_observation_end(crmkit_clv_summary_options *options,
                                                              int64_t observation_end);
CRMKIT_API int crmkit_clv_summary_options_set_include_first_purchase(crmkit_clv_summary_options *options,
                                                                     int include);

/* The summary table of a purchase log: rows of (customer, at = ms instant, amount in major units
** or amount NULL for none), any order. *out receives a result handle (NULL on failure), one row
** per customer ascending: frequency, recency, T, monetary_value (lifetimes' columns).
** EINVALID: a NULL column, an empty log, an instant outside 0001..9999, a negative, NaN or
** infinite amount, an observation end before the first purchase, periods_per_unit <= 0. */
typedef struct crmkit_clv_summary crmkit_clv_summary;
CRMKIT_API int crmkit_clv_summarise(crmkit_clv_summary **out, const int64_t *customer, const int64_t *at,
                                    const double *amount, int64_t rows,
                                    const crmkit_clv_summary_options *options);
/* lifetimes' calibration_and_holdout_data: the calibration summary of the purchases at or before
** calibration_end, plus per customer frequency_holdout, monetary_value_holdout (the mean of the
** holdout rows) and duration_holdout; the options' observation end ends the holdout (default
** the latest purchase). EINVALID as crmkit_clv_summarise, and when the observation end is not
** after calibration_end, calibration_end is before the first purchase, or the holdout is empty. */
CRMKIT_API int crmkit_clv_calibration_holdout(crmkit_clv_summary **out, const int64_t *customer,
                                              const int64_t *at, const double *amount, int64_t rows,
                                              int64_t calibration_end,
                                              const crmkit_clv_summary_options *options);
/* The table's facts; each out-parameter may be NULL. out_left_out: log rows after the
** observation end; out_duration_holdout: NaN for a plain summary. EINVALID for a NULL summary. */
CRMKIT_API int crmkit_clv_summary_facts(int64_t *out_customers, int64_t *out_observation_end,
                                        int64_t *out_left_out, double *out_duration_holdout,
                                        const crmkit_clv_summary *summary);
/* Copies up to `capacity` rows from the first into each caller array that is not NULL;
** *out_rows receives the count. monetary_value is NaN without amounts; the holdout columns are
** NaN for a plain summary. EINVALID for a NULL out_rows or summary, capacity < 0. */
CRMKIT_API int crmkit_clv_summary_columns(int64_t *out_rows, const crmkit_clv_summary *summary, int64_t capacity,
                                          int64_t *customer, double *frequency, double *recency, double *T,
                                          double *monetary_value, double *frequency_holdout,
                                          double *monetary_value_holdout);
CRMKIT_API void crmkit_clv_summary_free(crmkit_clv_summary *summary);

/* Fit options (clv::FitOptions): new = every default (no penalty, 1000 iterations, tolerance
** 1e-7, the model's default start). set_penalizer: lifetimes' penalizer_coef (>= 0);
** set_limits: max_iterations >= 1, gradient_tolerance > 0; set_start: count natural parameters
** in model order (0 = the default; at most 16). Values are checked by the fit (EINVALID naming
** the option); set_start refuses count outside 0..16 or NULL start with count > 0. */
/* (crmkit_clv_fit_options is declared above, beside crmkit_value_fit_with.) */
CRMKIT_API int crmkit_clv_fit_options_new(crmkit_clv_fit_options **out);
CRMKIT_API void crmkit_clv_fit_options_free(crmkit_clv_fit_options *options);
CRMKIT_API int crmkit_clv_fit_options_set_penalizer(crmkit_clv_fit_options *options, double penalizer_coef);
CRMKIT_API int crmkit_clv_fit_options_set_limits(crmkit_clv_fit_options *options, int max_iterations,
                                                 double gradient_tolerance);
CRMKIT_API int crmkit_clv_fit_options_set_start(crmkit_clv_fit_options *options, const double *start,
                                                int64_t count);

/* Fits and their report as owned JSON: {"model", "params": {name: value}, "standard_errors":
** {name: value} or null, "log_likelihood", "aic", "bic", "parameters", "observations",
** "customers", "patterns", "penalizer_coef", "converged", "reason", "iterations",
** "function_evaluations", "gradient_norm", "summary": the printable text of clv::fit_summary}.
** crmkit_clv_fit_json: model "bg_nbd", "mbg_nbd", "pareto_nbd" on (x, t_x, T), or "bg_bb" on
** (x, t_x, n) passed as (x, t_x, T); weight may be NULL (every row once).
** crmkit_clv_fit_spend_json: Gamma-Gamma on repeat buyers (x > 0, mean_spend > 0).
** crmkit_clv_fit_retention_json: sBG on survivor counts alive[0..periods-1].
** EINVALID: an unknown model, bad data (named by row) or data that cannot identify the model. */
CRMKIT_API int crmkit_clv_fit_json(char **out_json, const char *model, const double *x, const double *t_x,
                                   const double *T, const double *weight, int64_t rows,
                                   const crmkit_clv_fit_options *options);
CRMKIT_API int crmkit_clv_fit_spend_json(char **out_json, const double *x, const double *mean_spend,
                                         const double *weight, int64_t rows,
                                         const crmkit_clv_fit_options *options);
CRMKIT_API int crmkit_clv_fit_retention_json(char **out_json, const double *alive, int64_t periods,
                                             const crmkit_clv_fit_options *options);

/* Predictions, one value per row into out. model "bg_nbd", "mbg_nbd" or "pareto_nbd" with its
** n_params = 4 parameters in model order (as the fit's "params"); t and the histories in the
** data's time unit. EINVALID for an unknown model, bad parameters or a bad row (named). */
CRMKIT_API int crmkit_clv_p_alive(double *out, const char *model, const double *params, int64_t n_params,
                                  const double *x, const double *t_x, const double *T, int64_t rows);
/* Expected purchases in (T, T + t] given each history. */
CRMKIT_API int crmkit_clv_conditional_expected_purchases(double *out, const char *model, const double *params,
                                                         int64_t n_params, double t, const double *x,
                                                         const double *t_x, const double *T, int64_t rows);
/* Expected repeat purchases in (0, t[i]] of a new customer. */
CRMKIT_API int crmkit_clv_expected_purchases(double *out, const char *model, const double *params,
                                             int64_t n_params, const double *t, int64_t rows);
/* P(exactly n[i] repeat purchases in (0, t]) of a new customer (lifetimes'
** probability_of_n_purchases_up_to_time); every model (Pareto/NBD: Fader & Hardie note 012).
** EINVALID as above, and for t NaN, infinite or < 0, n[i] outside 0..1000000 (named), and a
** Pareto/NBD (n, t) whose series would need more than 10^6 terms (n ~ 10^6 at t ~ 10^6). */
CRMKIT_API int crmkit_clv_probability_of_purchases(double *out, const char *model, const double *params,
                                                   int64_t n_params, double t, const int64_t *n, int64_t rows);
/* P(exactly n[i] purchases in (T, T + t] | the history x[i], t_x[i], T[i]) (lifetimes'
** conditional_probability_of_n_purchases_up_to_time, which has it for Pareto/NBD; here every
** model): (1 - P(alive)) for n = 0 plus P(alive) times the posterior customer's P(X(t) = n)
** (docs/CLV.md). Over n it sums to 1 and its mean is crmkit_clv_conditional_expected_purchases.
** EINVALID as crmkit_clv_probability_of_purchases, and for a bad history (named). */
CRMKIT_API int crmkit_clv_conditional_probability_of_purchases(double *out, const char *model,
                                                               const double *params, int64_t n_params, double t,
                                                               const int64_t *n, const double *x,
                                                               const double *t_x, const double *T, int64_t rows);
/* Gamma-Gamma conditional expected average profit per purchase (lifetimes'
** conditional_expected_average_profit); params (p, q, gamma) with q > 1; x = 0 gives the
** population mean. */
CRMKIT_API int crmkit_clv_expected_average_profit(double *out, const double *params, int64_t n_params,
                                                  const double *x, const double *mean_spend, int64_t rows);
/* BG/BB (discrete opportunities; Fader, Hardie & Shang 2010) with params (alpha, beta, gamma,
** delta), n_params = 4, as the "bg_bb" fit's "params". Histories are whole numbers: n
** opportunities, x transactions (0 <= x <= n), t_x the last one's opportunity (0 when x = 0,
** else x <= t_x <= n). Status codes as above: CRMKIT_OK; CRMKIT_EINVALID for a NULL column or
** out with rows > 0, rows < 0, n_params != 4, a parameter not finite and > 0, or a value
** outside its range (named); CRMKIT_ENOMEM; CRMKIT_EINTERNAL.
**   bg_bb_p_alive: P(alive at opportunity n + m_ahead | x, t_x, n) (lifetimes'
**     conditional_probability_alive; m_ahead 1 = the next opportunity), m_ahead 0..1000000.
**   bg_bb_expected_transactions: E[X(n[i])] of a new customer (n[i] finite, >= 0).
**   bg_bb_conditional_expected_transactions: E[X(n, n + n_star) | x, t_x, n] (lifetimes'
**     conditional_expected_number_of_purchases_up_to_time), n_star finite, >= 0.
**   bg_bb_probability_of_transactions: P(X(n) = x[i]) of a new customer (FHS 2010 eq. 7;
**     times the cohort size it is lifetimes' expected_number_of_transactions_in_first_n_periods),
**     n in 0..1000000, x[i] in 0..n. */
CRMKIT_API int crmkit_clv_bg_bb_p_alive(double *out, const double *params, int64_t n_params, int64_t m_ahead,
                                        const double *x, const double *t_x, const double *n, int64_t rows);
CRMKIT_API int crmkit_clv_bg_bb_expected_transactions(double *out, const double *params, int64_t n_params,
                                                      const double *n, int64_t rows);
CRMKIT_API int crmkit_clv_bg_bb_conditional_expected_transactions(double *out, const double *params,
                                                                  int64_t n_params, double n_star, const double *x,
                                                                  const double *t_x, const double *n, int64_t rows);
CRMKIT_API int crmkit_clv_bg_bb_probability_of_transactions(double *out, const double *params, int64_t n_params,
                                                            int64_t n, const int64_t *x, int64_t rows);
/* sBG (contractual retention; Fader & Hardie 2007) with params (alpha, beta), n_params = 2, as
** the "sbg" fit's "params": survival S(t[i]) = B(alpha, beta + t)/B(alpha, beta) (t[i] in
** 0..2147483647; S(0) = 1) and the retention rate r_t = (beta + t - 1)/(alpha + beta + t - 1)
** of period t[i] (1..2147483647). Status codes: CRMKIT_OK; CRMKIT_EINVALID for a NULL column or
** out with rows > 0, rows < 0, n_params != 2, a parameter not finite and > 0, t[i] out of
** range (named); CRMKIT_ENOMEM; CRMKIT_EINTERNAL. */
CRMKIT_API int crmkit_clv_sbg_survival(double *out, const double *params, int64_t n_params, const int64_t *t,
                                       int64_t rows);
CRMKIT_API int crmkit_clv_sbg_retention_rate(double *out, const double *params, int64_t n_params,
                                             const int64_t *t, int64_t rows);
/* lifetimes' customer_lifetime_value: monthly discounted cash flow over `months` (1..1200) at
** monthly_discount_rate (>= 0), unit = the histories' unit ("hour", "day", "week", "month"),
** expected_margin per row (e.g. the expected average profit times a margin rate). */
CRMKIT_API int crmkit_clv_customer_lifetime_value(double *out, const char *model, const double *params,
                                                  int64_t n_params, const char *unit, int months,
                                                  double monthly_discount_rate, const double *x,
                                                  const double *t_x, const double *T,
                                                  const double *expected_margin, int64_t rows);

/* ---- rfm on plain data ------------------------------------------------------------------
** R rfm 0.3.0's entry points on columns the caller passes in (no database; docs/VALUE.md maps
** each R function to these). Columns are arrays of `count` elements (NULL only when count is
** 0); out arrays other than out_count may be NULL when not wanted. Scores run 1..bins, higher is
** better (recency reversed); rfm_score = 100 R + 10 F + M. Revenue is in major units.
** Every call returns CRMKIT_OK, or EINVALID naming the argument or row (a NULL out_count,
** out_segment or column, a non-finite revenue, negative orders or recency, a customer id given
** twice, cut points not strictly ascending or not finite or more than 8, bins outside 1..9, an
** unknown method or measure, a capacity below the rows to write, more than 2^31 rows), ENOMEM,
** or EINTERNAL. Nothing is kept between calls.
**
** Options: a handle whose unset members keep R's defaults (options NULL: every default).
**   method: "quantile" (default: R rfm's cut points), "ntile", "qcut" or "custom";
**   bins:   1..9 (default 5), checked when scoring;
**   cuts:   measure "recency", "frequency" or "monetary" and its ascending cut points, R's
**           custom thresholds (recency_bins = c(115, 181, 297, 482)): score = 1 + cut points
**           <= value, recency reversed; setting cuts selects the method "custom". */
typedef struct crmkit_rfm_options crmkit_rfm_options;
CRMKIT_API int crmkit_rfm_options_new(crmkit_rfm_options **out);
CRMKIT_API void crmkit_rfm_options_free(crmkit_rfm_options *options);
CRMKIT_API int crmkit_rfm_options_set_method(crmkit_rfm_options *options, const char *method);
CRMKIT_API int crmkit_rfm_options_set_bins(crmkit_rfm_options *options, int bins);
CRMKIT_API int crmkit_rfm_options_set_cuts(crmkit_rfm_options *options, const char *measure, const double *cuts,
                                           size_t count);

/* R rfm_table_order: one order per row (customer id, ordered_at in ms, revenue); orders at or
** after as_of are left out, and a purchase on the day before as_of has recency 0 (as_of is the
** end of R's analysis date). Writes one row per customer, by customer id, and their number in
** *out_count; capacity (rows each out array holds) = count always suffices. */
CRMKIT_API int crmkit_rfm_table_orders(size_t *out_count, int64_t *out_customer_id, int64_t *out_recency_days,
                                       int64_t *out_orders, double *out_revenue, int *out_r, int *out_f,
                                       int *out_m, int *out_rfm_score, size_t capacity,
                                       const int64_t *customer_ids, const int64_t *ordered_at,
                                       const double *revenue, size_t count, int64_t as_of,
                                       const crmkit_rfm_options *options);

/* R rfm_table_customer: rows already aggregated per customer; scores written at the rows'
** indexes. */
CRMKIT_API int crmkit_rfm_table_customers(int *out_r, int *out_f, int *out_m, int *out_rfm_score,
                                          const int64_t *customer_ids, const int64_t *orders,
                                          const int64_t *recency_days, const double *revenue, size_t count,
                                          const crmkit_rfm_options *options);

/* R rfm_segment: `segments` rules, rule i named names[i] with inclusive score ranges
** [recency_lower[i], recency_upper[i]] and so on (a NULL bound array: unbounded on that side).
** out_segment[k] is the index of the first rule holding row k's scores, -1 for none (R's
** "Others"). Also EINVALID for no or more than 1000 rules, an empty name, lower > upper or a
** NaN bound (naming the rule). */
CRMKIT_API int crmkit_rfm_segment(int *out_segment, const int *r, const int *f, const int *m, size_t count,
                                  const char *const *names, const double *recency_lower,
                                  const double *recency_upper, const double *frequency_lower,
                                  const double *frequency_upper, const double *monetary_lower,
                                  const double *monetary_upper, size_t segments);

/* R rfm_segment_summary, per currency: one row per (currency, segment) of the customer rows
** (segment name, orders, revenue and, with currencies not NULL, an ISO code per row; rows of
** different currencies are never added together). Written: out_first_row (the first input row
** of that currency and segment, to read its names from), customers, orders, revenue, average
** order value (revenue / orders, 0 without orders), and the segment's share of its currency's
** customers, orders and revenue. Sorted by currency, then customers descending, then segment;
** capacity = count always suffices. */
CRMKIT_API int crmkit_rfm_segment_summary(size_t *out_count, size_t *out_first_row, int64_t *out_customers,
                                          int64_t *out_orders, double *out_revenue,
                                          double *out_average_order_value, double *out_customer_share,
                                          double *out_order_share, double *out_revenue_share, size_t capacity,
                                          const char *const *segments, const int64_t *orders,
                                          const double *revenue, const char *const *currencies, size_t count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRMKIT_H */
